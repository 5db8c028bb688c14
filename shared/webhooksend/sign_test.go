package webhooksend

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's example: a secret, message id,
// timestamp and payload, and the signature every implementation must make.
func TestSignatureMatchesTheSpecificationsExample(t *testing.T) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	got := Signature([][]byte{key}, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
	// During a rotation each key signs: space-separated, the current first.
	two := Signature([][]byte{key, []byte("another key")}, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if parts := strings.Split(two, " "); len(parts) != 2 || parts[0] != got || !strings.HasPrefix(parts[1], "v1,") || parts[1] == got {
		t.Errorf("two keys sign %q", two)
	}
}
