package capillary

import (
	"errors"
	"net"
)

// FailsEveryCall reports whether err will fail every call made through the same client,
// whatever the call: the credentials were refused (401 or 403, or an OAuth key or secret the
// token endpoint refused), the server's certificate does not verify or the server does not
// speak TLS (https sent to an http server), or the host name does not exist. Sending more calls
// only repeats the failure: the configuration must change first.
func FailsEveryCall(err error) bool {
	if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrOAuthCredentials) {
		return true
	}
	var dnsErr *net.DNSError
	return (errors.As(err, &dnsErr) && dnsErr.IsNotFound) || tlsFailure(err)
}
