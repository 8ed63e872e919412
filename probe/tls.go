package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"time"
)

// TLS runs a client handshake over conn. cfg supplies ServerName (when empty:
// the peer's IP), RootCAs (nil = the system pool) and NextProtos.
//
// The probe verifies the chain itself, in VerifyConnection with
// InsecureSkipVerify set, so that the peer's chain is recorded even when
// verification fails (a MITM proxy's issuer is the clue the user needs). The
// error it returns has the same shape as Go's own verification:
// *tls.CertificateVerificationError wrapping x509's value-type errors.
//
// On failure conn is closed; on success Conn is the TLS connection.
func TLS(ctx context.Context, conn net.Conn, cfg *tls.Config) TLSResult {
	if conn == nil {
		return TLSResult{Err: errNoConn}
	}
	var c *tls.Config
	if cfg != nil {
		c = cfg.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" && conn.RemoteAddr() != nil {
		if host, _, err := net.SplitHostPort(conn.RemoteAddr().String()); err == nil {
			c.ServerName = host
		}
	}
	res := TLSResult{ServerName: c.ServerName}
	verify := !c.InsecureSkipVerify
	userVerify := c.VerifyConnection
	c.InsecureSkipVerify = true
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		res.Chain = chainInfo(cs.PeerCertificates)
		if verify {
			if err := verifyChain(c, cs); err != nil {
				return err
			}
			res.Verified = true
		}
		if userVerify != nil {
			return userVerify(cs)
		}
		return nil
	}

	if c.GetClientCertificate == nil && len(c.Certificates) == 0 {
		// Record the server's CertificateRequest: a server demanding
		// mutual TLS fails the handshake (TLS 1.2) or the first read (1.3)
		// with an alert that alone does not say why.
		c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			res.CertRequested = true
			return &tls.Certificate{}, nil
		}
	}
	tc := tls.Client(conn, c)
	start := time.Now()
	err := tc.HandshakeContext(ctx)
	res.Duration = time.Since(start)
	if err != nil {
		res.Verified = false
		res.Err = withCtxErr(ctx, err)
		conn.Close()
		return res
	}
	st := tc.ConnectionState()
	res.Version = tls.VersionName(st.Version)
	res.Cipher = tls.CipherSuiteName(st.CipherSuite)
	res.ALPN = st.NegotiatedProtocol
	res.Conn = tc
	return res
}

// verifyChain does what crypto/tls does when InsecureSkipVerify is false.
func verifyChain(c *tls.Config, cs tls.ConnectionState) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign, Detail: "no certificate from the peer"}}
	}
	opts := x509.VerifyOptions{
		Roots:         c.RootCAs,
		CurrentTime:   now(c),
		DNSName:       c.ServerName,
		Intermediates: x509.NewCertPool(),
	}
	for _, ic := range certs[1:] {
		opts.Intermediates.AddCert(ic)
	}
	if _, err := certs[0].Verify(opts); err != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	return nil
}

func now(c *tls.Config) time.Time {
	if c.Time != nil {
		return c.Time()
	}
	return time.Now()
}

func chainInfo(certs []*x509.Certificate) []CertInfo {
	out := make([]CertInfo, 0, len(certs))
	for _, c := range certs {
		ci := CertInfo{
			Subject:   c.Subject.String(),
			Issuer:    c.Issuer.String(),
			NotBefore: c.NotBefore,
			NotAfter:  c.NotAfter,
			DNSNames:  c.DNSNames,
		}
		for _, ip := range c.IPAddresses {
			ci.IPs = append(ci.IPs, ip.String())
		}
		out = append(out, ci)
	}
	return out
}
