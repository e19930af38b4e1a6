package capillary

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README gives one test command; it tests every module of the repository (cmd/capillary
// and benchmarks are modules of their own, which `go test ./...` at the root does not enter),
// and CI runs exactly it.
func TestReadmeTestCommandCoversEveryModule(t *testing.T) {
	t.Parallel()
	read := func(path string) string {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(data)
	}
	readme := read("README.md")
	_, runIt, ok := strings.Cut(readme, "## Run it\n")
	require.True(t, ok, "README has a Run it section")
	_, block, _ := strings.Cut(runIt, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	var command string
	for _, line := range strings.Split(block, "\n") {
		if cmd, _, _ := strings.Cut(line, "#"); strings.Contains(line, "test") {
			command = strings.TrimSpace(cmd)
		}
	}
	assert.Equal(t, "scripts/test.sh", command, "the README's test command")
	assert.Contains(t, strings.Split(read(".ci/run"), "\n"), command, ".ci/run runs the README's test command as it is")
	assert.Contains(t, read("scripts/test.sh"), "find . -name go.mod", "the script finds every module by its go.mod")
	for _, mod := range []string{"cmd/capillary/go.mod", "benchmarks/go.mod"} {
		_, err := os.Stat(mod)
		assert.NoError(t, err, "%s is a module the script tests", mod)
	}
}
