package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// cometLogger adapts CometBFT's key-value logger to log/slog. CometBFT's
// Info and Debug are dropped unless the minimum level allows them, so that
// by default (warn) only its errors reach the node's log.
type cometLogger struct {
	l     *slog.Logger
	level slog.Level
}

var _ cmtlog.Logger = cometLogger{}

// NewCometLogger returns a CometBFT logger writing to l at or above level.
func NewCometLogger(l *slog.Logger, level slog.Level) cmtlog.Logger {
	return cometLogger{l: l.With("module", "cometbft"), level: level}
}

// shutdownNoise are CometBFT error messages that a clean stop produces;
// they are logged at debug level.
var shutdownNoise = []string{"use of closed network connection", "Stopped accept routine, as transport is closed"}

func (c cometLogger) log(level slog.Level, msg string, kv []any) {
	if level == slog.LevelError {
		for _, n := range shutdownNoise {
			if strings.Contains(msg, n) || strings.Contains(fmt.Sprint(kv...), n) {
				level = slog.LevelDebug
			}
		}
	}
	if level < c.level {
		return
	}
	ctx := context.Background()
	if !c.l.Enabled(ctx, level) {
		return
	}
	// CometBFT passes values that format themselves lazily or are byte
	// slices; render them as strings so every slog handler prints them.
	args := make([]any, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprint(kv[i])
		}
		args = append(args, slog.String(key, fmt.Sprint(kv[i+1])))
	}
	c.l.Log(ctx, level, msg, args...)
}

func (c cometLogger) Debug(msg string, kv ...any) { c.log(slog.LevelDebug, msg, kv) }
func (c cometLogger) Info(msg string, kv ...any)  { c.log(slog.LevelInfo, msg, kv) }
func (c cometLogger) Error(msg string, kv ...any) { c.log(slog.LevelError, msg, kv) }
func (c cometLogger) With(kv ...any) cmtlog.Logger {
	args := make([]any, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprint(kv[i])
		}
		args = append(args, slog.String(key, fmt.Sprint(kv[i+1])))
	}
	return cometLogger{l: c.l.With(args...), level: c.level}
}

// StdLogWriter returns a writer for the standard library's log package
// that turns each line into a debug record of l (CometBFT's pebble
// databases report WAL recovery through it). Install it with
// log.SetOutput in a main program; a library should not.
func StdLogWriter(l *slog.Logger) io.Writer { return stdLogWriter{l: l.With("module", "stdlog")} }

type stdLogWriter struct{ l *slog.Logger }

func (w stdLogWriter) Write(p []byte) (int, error) {
	w.l.Debug(strings.TrimSpace(string(p)))
	return len(p), nil
}
