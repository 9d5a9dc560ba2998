package node

import (
	"bufio"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// This file reads CometBFT's config.toml without viper: a reader for the
// subset of TOML the file uses (comments, [section] and [a.b] tables,
// key = string | integer | float | bool | one-line array) and a mapper that
// fills CometBFT's config structs by their `mapstructure` tags. Keys the
// structs do not know are reported, so a typo in a hand-edited file is an
// error, not a silently ignored setting.

// tomlDoc maps a table name ("" for the top level, "p2p", "storage.pruning")
// to its keys and values.
type tomlDoc map[string]map[string]tomlValue

type tomlValue struct {
	line int
	v    any // string, int64, float64, bool or []any
}

func parseTOML(r io.Reader) (tomlDoc, error) {
	doc := tomlDoc{"": {}}
	table := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(stripComment(sc.Text()))
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") || strings.HasPrefix(line, "[[") {
				return nil, fmt.Errorf("line %d: malformed table header %q", n, line)
			}
			table = strings.TrimSpace(line[1 : len(line)-1])
			if _, ok := doc[table]; !ok {
				doc[table] = map[string]tomlValue{}
			}
			continue
		}
		key, raw, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected key = value, got %q", n, line)
		}
		key = strings.Trim(strings.TrimSpace(key), `"`)
		v, err := parseTOMLValue(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", n, key, err)
		}
		doc[table][key] = tomlValue{line: n, v: v}
	}
	return doc, sc.Err()
}

// stripComment removes a trailing # comment that is not inside a string.
func stripComment(s string) string {
	inStr := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0 && c == '\\' && inStr == '"':
			i++
		case inStr != 0 && c == inStr:
			inStr = 0
		case inStr == 0 && (c == '"' || c == '\''):
			inStr = c
		case inStr == 0 && c == '#':
			return s[:i]
		}
	}
	return s
}

func parseTOMLValue(s string) (any, error) {
	switch {
	case s == "":
		return nil, fmt.Errorf("missing value")
	case s == "true":
		return true, nil
	case s == "false":
		return false, nil
	case s[0] == '"':
		return strconv.Unquote(s)
	case s[0] == '\'':
		if len(s) < 2 || s[len(s)-1] != '\'' {
			return nil, fmt.Errorf("unterminated string %s", s)
		}
		return s[1 : len(s)-1], nil
	case s[0] == '[':
		if s[len(s)-1] != ']' {
			return nil, fmt.Errorf("arrays must fit on one line: %s", s)
		}
		var out []any
		for _, part := range splitArray(s[1 : len(s)-1]) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			v, err := parseTOMLValue(part)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	clean := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(clean, 0, 64); err == nil {
		return i, nil
	}
	if f, err := strconv.ParseFloat(clean, 64); err == nil {
		return f, nil
	}
	return nil, fmt.Errorf("cannot parse value %s (strings need quotes)", s)
}

func splitArray(s string) []string {
	var parts []string
	inStr, start := byte(0), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0 && c == '\\' && inStr == '"':
			i++
		case inStr != 0 && c == inStr:
			inStr = 0
		case inStr == 0 && (c == '"' || c == '\''):
			inStr = c
		case inStr == 0 && c == ',':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// decodeInto fills the struct pointed to by dst from doc, using the
// `mapstructure` tags of its fields; ",squash" embeds a struct's fields in
// the same table, and a pointer-to-struct field is the sub-table named by its
// tag. Keys that match no field are errors.
func decodeInto(doc tomlDoc, dst any) error {
	used := map[string]map[string]bool{}
	if err := decodeTable(doc, "", reflect.ValueOf(dst).Elem(), used); err != nil {
		return err
	}
	for table, kv := range doc {
		for k, v := range kv {
			if !used[table][k] {
				name := k
				if table != "" {
					name = table + "." + k
				}
				return fmt.Errorf("line %d: unknown setting %q", v.line, name)
			}
		}
	}
	return nil
}

func decodeTable(doc tomlDoc, table string, v reflect.Value, used map[string]map[string]bool) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("mapstructure")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if opt == "squash" {
			if err := decodeTable(doc, table, fv, used); err != nil {
				return err
			}
			continue
		}
		if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
			sub := name
			if table != "" {
				sub = table + "." + name
			}
			if _, ok := doc[sub]; !ok {
				continue
			}
			if fv.IsNil() {
				fv.Set(reflect.New(f.Type.Elem()))
			}
			if used[sub] == nil {
				used[sub] = map[string]bool{}
			}
			if err := decodeTable(doc, sub, fv.Elem(), used); err != nil {
				return err
			}
			continue
		}
		val, ok := doc[table][name]
		if !ok {
			continue
		}
		if used[table] == nil {
			used[table] = map[string]bool{}
		}
		used[table][name] = true
		if err := setField(fv, val.v); err != nil {
			full := name
			if table != "" {
				full = table + "." + name
			}
			return fmt.Errorf("line %d: %s: %w", val.line, full, err)
		}
	}
	return nil
}

var durationType = reflect.TypeOf(time.Duration(0))

func setField(fv reflect.Value, v any) error {
	// Weak typing, as viper: CometBFT's own template quotes some numbers.
	if str, ok := v.(string); ok && fv.Type() != durationType {
		switch fv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if i, err := strconv.ParseInt(strings.TrimSpace(str), 10, 64); err == nil {
				v = i
			}
		case reflect.Bool:
			if b, err := strconv.ParseBool(strings.TrimSpace(str)); err == nil {
				v = b
			}
		}
	}
	if fv.Type() == durationType {
		switch x := v.(type) {
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return err
			}
			fv.SetInt(int64(d))
			return nil
		case int64: // nanoseconds, as viper reads a bare number
			fv.SetInt(x)
			return nil
		}
		return fmt.Errorf("want a duration such as \"100ms\", got %v", v)
	}
	switch fv.Kind() {
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %v", v)
		}
		fv.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want true or false, got %v", v)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := v.(int64)
		if !ok {
			return fmt.Errorf("want an integer, got %v", v)
		}
		fv.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, ok := v.(int64)
		if !ok || i < 0 {
			return fmt.Errorf("want a non-negative integer, got %v", v)
		}
		fv.SetUint(uint64(i))
	case reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case float64:
			fv.SetFloat(x)
		case int64:
			fv.SetFloat(float64(x))
		default:
			return fmt.Errorf("want a number, got %v", v)
		}
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported list type %s", fv.Type())
		}
		var items []string
		switch x := v.(type) {
		case []any:
			for _, it := range x {
				s, ok := it.(string)
				if !ok {
					return fmt.Errorf("want a list of strings, got %v", v)
				}
				items = append(items, s)
			}
		case string: // viper accepts "a,b" for a list
			for _, s := range strings.Split(x, ",") {
				if s = strings.TrimSpace(s); s != "" {
					items = append(items, s)
				}
			}
		default:
			return fmt.Errorf("want a list of strings, got %v", v)
		}
		fv.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("unsupported setting type %s", fv.Type())
	}
	return nil
}
