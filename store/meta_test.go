package store

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

func TestMetaRoundTrip(t *testing.T) {
	for _, m := range []meta{
		{ret: Retention{KeepUntil: 7}},
		{ret: Retention{Pinned: true, KeepUntil: 1<<64 - 1}},
		{ret: Retention{KeepUntil: 3}, sealed: true, crcs: []uint32{1, 0xdeadbeef, 0}},
	} {
		b := encodeMeta(m)
		got, err := decodeMeta(b)
		if err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
		if got.ret != m.ret || got.sealed != m.sealed || len(got.crcs) != len(m.crcs) {
			t.Fatalf("%+v decodes as %+v", m, got)
		}
		for i := range m.crcs {
			if got.crcs[i] != m.crcs[i] {
				t.Fatalf("crc %d: %x, want %x", i, got.crcs[i], m.crcs[i])
			}
		}
		for i := range b {
			bad := bytes.Clone(b)
			bad[i] ^= 0x10
			if _, err := decodeMeta(bad); err == nil {
				t.Fatalf("byte %d flipped: accepted", i)
			}
		}
	}
	// Version 1 records (written before CRCs) still read, unsealed.
	v1 := append([]byte(metaMagic1), 1)
	v1 = binary.BigEndian.AppendUint64(v1, 42)
	v1 = binary.BigEndian.AppendUint32(v1, crc32c(v1))
	got, err := decodeMeta(v1)
	if err != nil || got.ret != (Retention{Pinned: true, KeepUntil: 42}) || got.sealed {
		t.Fatalf("version 1: %+v, %v", got, err)
	}
}

// FuzzDecodeMeta: an accepted version 2 record re-encodes to the same bytes.
func FuzzDecodeMeta(f *testing.F) {
	f.Add(encodeMeta(meta{ret: Retention{KeepUntil: 5}}))
	f.Add(encodeMeta(meta{ret: Retention{Pinned: true}, sealed: true, crcs: []uint32{9, 8}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMeta(b)
		if err != nil || string(b[:len(metaMagic)]) != metaMagic {
			return
		}
		if enc := encodeMeta(m); !bytes.Equal(enc, b) {
			t.Fatalf("accepted %x, re-encodes as %x", b, enc)
		}
	})
}

// TestSealedBlobsAreTrustedByCRC: a blob committed with fsync is sealed, and
// after a restart its blocks are checked against the recorded CRCs (not
// hashed) and need no new fsync; a NoSync store never seals.
func TestSealedBlobsAreTrustedByCRC(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	for _, noSync := range []bool{false, true} {
		dir := t.TempDir()
		o := Options{ChunkSize: 4 << 10, NoSync: noSync, Logger: quiet}
		s, err := Open(dir, o)
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, 5*(4<<10)+3)
		for i := range data {
			data[i] = byte(i * 13)
		}
		info, err := s.PutBytes(data, Pinned())
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if s, err = Open(dir, o); err != nil {
			t.Fatal(err)
		}
		b := s.blobs[info.CID.KeyString()]
		if b.sealed == noSync {
			t.Fatalf("NoSync=%v: sealed=%v", noSync, b.sealed)
		}
		for i, k := range b.blocks {
			st := s.blocks[k]
			if st.durable != !noSync {
				t.Fatalf("NoSync=%v: block %d durable=%v after restart", noSync, i, st.durable)
			}
			// The root (the manifest) was read, and so hashed, by recovery.
			if i > 0 && (st.hasCRC != !noSync || st.verified) {
				t.Fatalf("NoSync=%v: block %d state after restart %+v", noSync, i, *st)
			}
		}
		// Reading checks every block and marks it verified.
		r, err := s.Get(info.CID)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(data))
		if _, err := r.ReadAt(got, 0); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back: %v", err)
		}
		r.Close()
		for _, k := range b.blocks {
			if st := s.blocks[k]; !st.verified || !st.hasCRC {
				t.Fatalf("block not verified after a read: %+v", *st)
			}
		}
		// Changing the retention keeps a sealed blob sealed.
		if err := s.Unpin(info.CID); err != nil {
			t.Fatal(err)
		}
		m, err := s.readMeta(info.CID)
		if err != nil || m.sealed == noSync {
			t.Fatalf("NoSync=%v: metadata after Unpin: %+v %v", noSync, m, err)
		}
		s.Close()
		if _, err := os.Stat(filepath.Join(dir, "meta", info.CID.String())); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzDecodePartial: an accepted partial record re-encodes to the same
// bytes.
func FuzzDecodePartial(f *testing.F) {
	f.Add(encodePartial(0))
	f.Add(encodePartial(1 << 40))
	f.Fuzz(func(t *testing.T, b []byte) {
		until, err := decodePartial(b)
		if err != nil {
			return
		}
		if enc := encodePartial(until); !bytes.Equal(enc, b) {
			t.Fatalf("accepted %x, re-encodes as %x", b, enc)
		}
	})
}
