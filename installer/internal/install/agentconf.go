package install

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/BurntSushi/toml"

	"teamlens/shared/config"
)

// agentConf is the part of the agent's TOML configuration (shared/config)
// that the installer owns. It reads the file as a map so that every other
// key of an existing file (products, intervals an admin tuned, keys of a
// newer agent) goes through an upgrade untouched.
type agentConf struct {
	DataDir      string
	SpoolDir     string
	Socket       string
	Collector    string
	EnrollSecret string
	Analytics    string
	SeatUsage    *bool

	rest map[string]any
}

// loadAgentConf reads the installed configuration; ok is false when there
// is none.
func loadAgentConf(path string) (c agentConf, ok bool, err error) {
	var m map[string]any
	if _, err := toml.DecodeFile(path, &m); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return c, false, nil
		}
		return c, false, fmt.Errorf("existing configuration %s: %w", path, err)
	}
	str := func(key string) string {
		s, _ := m[key].(string)
		delete(m, key)
		return s
	}
	c.DataDir = str("data_dir")
	c.SpoolDir = str("spool_dir")
	c.Socket = str("socket")
	c.Collector = str("collector")
	c.EnrollSecret = str("enroll_secret")
	c.Analytics = str("analytics")
	if b, isBool := m["seat_usage"].(bool); isBool {
		c.SeatUsage = &b
	}
	delete(m, "seat_usage")
	c.rest = m
	return c, true, nil
}

// encode renders the configuration as TOML.
func (c agentConf) encode() ([]byte, error) {
	m := make(map[string]any, len(c.rest)+7)
	for k, v := range c.rest {
		m[k] = v
	}
	put := func(key, v string) {
		if v != "" {
			m[key] = v
		}
	}
	put("data_dir", c.DataDir)
	put("spool_dir", c.SpoolDir)
	put("socket", c.Socket)
	put("collector", c.Collector)
	put("enroll_secret", c.EnrollSecret)
	put("analytics", c.Analytics)
	if c.SeatUsage != nil {
		m["seat_usage"] = *c.SeatUsage
	}
	var buf bytes.Buffer
	buf.WriteString("# Teamlens agent configuration, written by the installer.\n# Readable by root only: it holds the enroll secret.\n")
	if err := toml.NewEncoder(&buf).Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// validate reports the first setting the agent could not work with, by
// the agent's own rules.
func (c agentConf) validate() error {
	return config.Config{Analytics: c.Analytics, Collector: c.Collector, EnrollSecret: c.EnrollSecret}.Validate()
}
