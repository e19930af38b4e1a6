module github.com/capillary-go/capillary/benchmarks

go 1.24.0

replace github.com/capillary-go/capillary => ../

require (
	github.com/capillary-go/capillary v0.0.0-00010101000000-000000000000
	github.com/go-resty/resty/v2 v2.17.2
)

require (
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	golang.org/x/net v0.43.0 // indirect
)
