package mailin_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// dovecot is a real Dovecot IMAP server run by the test: its own config in
// a temporary directory, passwd-file authentication, maildir storage,
// listening on 127.0.0.1 on free ports — plain/STARTTLS on Port, implicit
// TLS on TLSPort, with a certificate the test made (trusted by Roots).
type dovecot struct {
	Port, TLSPort int
	User, Pass    string
	Roots         *x509.CertPool
	cmd           *exec.Cmd
	dir           string
}

// startDovecot runs Dovecot for the test. Without the binary the test is
// skipped with the reason — and fails under CI=true.
func startDovecot(t testing.TB) *dovecot {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dovecot is not installed; CI must run the IMAP interop tests (apt-get install dovecot-imapd)")
		}
		t.Skip("IMAP interop skipped: dovecot not installed (apt-get install dovecot-imapd)")
	}
	dir, err := os.MkdirTemp("", "hd-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	d := &dovecot{User: "support", Pass: "imap-secret", dir: dir, Port: freePort(t), TLSPort: freePort(t)}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	d.Roots = writeCert(t, certFile, keyFile)
	// Dovecot refuses to run its login processes as root: as root the
	// test uses Debian's dovecot/dovenull users and hands them the mail.
	uid, gid := os.Getuid(), os.Getgid()
	loginUser, internalUser, internalGroup := "", "", ""
	if uid == 0 {
		du, err := user.Lookup("dovecot")
		if err != nil {
			t.Fatalf("running as root needs the dovecot user: %v", err)
		}
		uid, _ = strconv.Atoi(du.Uid)
		gid, _ = strconv.Atoi(du.Gid)
		loginUser, internalUser, internalGroup = "dovenull", "dovecot", "dovecot"
	} else {
		me, _ := user.Current()
		loginUser, internalUser = me.Username, me.Username
		g, _ := user.LookupGroupId(strconv.Itoa(gid))
		internalGroup = g.Name
	}
	mailDir := filepath.Join(dir, "mail", d.User)
	for _, p := range []string{filepath.Join(dir, "run"), filepath.Join(dir, "state"), mailDir} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chown(filepath.Join(dir, "mail"), uid, gid)
	os.Chown(mailDir, uid, gid)
	passwd := fmt.Sprintf("%s:{PLAIN}%s:%d:%d::%s::\n", d.User, d.Pass, uid, gid, mailDir)
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
instance_name = hdtest-%[2]d
log_path = %[1]s/dovecot.log
ssl = yes
ssl_cert = <%[3]s
ssl_key = <%[4]s
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
default_login_user = %[5]s
default_internal_user = %[6]s
default_internal_group = %[7]s
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%%u %[1]s/passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[8]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[9]d
    ssl = yes
  }
}
service anvil {
  chroot =
}
`, dir, d.Port, certFile, keyFile, loginUser, internalUser, internalGroup, d.Port, d.TLSPort)
	confFile := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(bin, "-c", confFile, "-F")
	d.cmd.Stdout, d.cmd.Stderr = os.Stderr, os.Stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	t.Cleanup(d.stop)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(d.Port)), time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot did not listen: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

func (d *dovecot) stop() {
	if d.cmd != nil && d.cmd.Process != nil {
		d.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			d.cmd.Process.Kill()
			<-done
		}
	}
}

// client logs in over plain IMAP, as a mail server delivering would.
func (d *dovecot) client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(net.JoinHostPort("127.0.0.1", strconv.Itoa(d.Port)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(d.User, d.Pass).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// deliver appends messages to a folder (IMAP APPEND).
func (d *dovecot) deliver(t testing.TB, c *imapclient.Client, folder string, msgs ...[]byte) {
	t.Helper()
	for _, m := range msgs {
		cmd := c.Append(folder, int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
}

// status counts a folder's messages and unseen ones.
func (d *dovecot) status(t testing.TB, c *imapclient.Client, folder string) (messages, unseen uint32) {
	t.Helper()
	s, err := c.Status(folder, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil {
		t.Fatalf("status %s: %v", folder, err)
	}
	return *s.NumMessages, *s.NumUnseen
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// writeCert makes a self-signed certificate for 127.0.0.1 and returns a
// pool that trusts it.
func writeCert(t testing.TB, certFile, keyFile string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

var _ = tls.VersionTLS12
