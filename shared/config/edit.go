package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// Edit is a configuration file opened to change some of its settings (the
// installer sets the collector, the secret, the directories and the
// policy). Its Config is what the file says; Encode writes back the fields
// changed since, over every key of the file as it was read, so what an
// admin added (products, tuned intervals) and the keys of a newer agent
// survive the edit. Validate is the agent's own.
type Edit struct {
	Config
	read Config         // as read, to tell the changed fields
	keys map[string]any // every key of the file, in TOML's own types
}

// LoadEdit opens path for editing. With no file there, the Edit is empty
// and exists is false. Unlike Load it accepts keys it does not know: they
// are kept, not judged.
func LoadEdit(path string) (e *Edit, exists bool, err error) {
	e = &Edit{keys: map[string]any{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return e, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("config %s: %w", path, err)
	}
	// Decoded twice so that the snapshot shares no slice with Config.
	for _, v := range []any{&e.keys, &e.Config, &e.read} {
		if _, err := toml.Decode(string(b), v); err != nil {
			return nil, false, fmt.Errorf("config %s: %w", path, err)
		}
	}
	return e, true, nil
}

// Encode renders the file as TOML: the keys as read, with each field of
// Config changed since written over its key (a field set back to its zero
// value removes the key).
func (e *Edit) Encode() ([]byte, error) {
	keys := maps.Clone(e.keys)
	if keys == nil {
		keys = map[string]any{}
	}
	now, was := reflect.ValueOf(e.Config), reflect.ValueOf(e.read)
	for i := range now.NumField() {
		key, _, _ := strings.Cut(now.Type().Field(i).Tag.Get("toml"), ",")
		f := now.Field(i)
		switch {
		case reflect.DeepEqual(f.Interface(), was.Field(i).Interface()):
		case f.IsZero():
			delete(keys, key)
		default:
			keys[key] = f.Interface()
		}
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(keys); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
