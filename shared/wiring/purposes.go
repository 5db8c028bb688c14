package wiring

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// purposeRule is one purpose's override in PURPOSE_RULES, e.g.
// {"parse": {"maxBytes": 104857600, "retentionSeconds": 2592000},
// "sheet": {"mimeTypes": ["text/csv"]}}. Omitted fields keep the default.
type purposeRule struct {
	MimeTypes        []string `json:"mimeTypes"`
	MaxBytes         int64    `json:"maxBytes"`
	RetentionSeconds int64    `json:"retentionSeconds"`
}

// purposesFromEnv merges the overrides in the named variable over the defaults.
func purposesFromEnv(name string) (map[string]files.Purpose, error) {
	purposes := files.DefaultPurposes()
	v := os.Getenv(name)
	if v == "" {
		return purposes, nil
	}
	var rules map[string]purposeRule
	if err := json.Unmarshal([]byte(v), &rules); err != nil {
		return nil, fmt.Errorf("%s must be a JSON object of purpose rules: %w", name, err)
	}
	for name, r := range rules {
		p, ok := purposes[name]
		if !ok {
			return nil, fmt.Errorf("PURPOSE_RULES: unknown purpose %q", name)
		}
		if r.MimeTypes != nil {
			p.MimeTypes = r.MimeTypes
		}
		if r.MaxBytes > 0 {
			p.MaxBytes = r.MaxBytes
		}
		if r.RetentionSeconds > 0 {
			p.Retention = time.Duration(r.RetentionSeconds) * time.Second
		}
		purposes[name] = p
	}
	return purposes, nil
}
