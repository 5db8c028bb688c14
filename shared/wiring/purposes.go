package wiring

import (
	"encoding/json"
	"fmt"
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

// purposes merges PURPOSE_RULES's overrides (v) over the defaults.
func purposes(v string) (map[string]files.Purpose, error) {
	out := files.DefaultPurposes()
	if v == "" {
		return out, nil
	}
	var rules map[string]purposeRule
	if err := json.Unmarshal([]byte(v), &rules); err != nil {
		return nil, fmt.Errorf("PURPOSE_RULES must be a JSON object of purpose rules: %w", err)
	}
	for name, r := range rules {
		p, ok := out[name]
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
		out[name] = p
	}
	return out, nil
}
