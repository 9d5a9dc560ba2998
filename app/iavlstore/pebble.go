package iavlstore

import (
	"bytes"

	"github.com/cockroachdb/pebble"
	cmtdb "github.com/cometbft/cometbft-db"
	idb "github.com/cosmos/iavl/db"
)

// PebbleOptions are the Pebble options of a node's databases: the app
// store and CometBFT's (block store, state, tx index, evidence). Pebble's
// defaults (4 MiB memtables, L0 compacted from 4 files on) are sized for
// small writes, but a node committing thousands of txs per second writes
// each tx several times (block parts, results with their events, the tx
// index, IAVL's nodes and fast index), and under those defaults compaction
// rewrote the tx index, whose keys are hashes spread over the whole key
// space, again and again (a tenth of the node's CPU in bench/ledger.sh).
// Larger memtables and a larger L0 before compaction write each byte fewer
// times; reads stay cheap with L0 at most a few dozen files.
func PebbleOptions() *pebble.Options {
	o := &pebble.Options{
		MemTableSize:          32 << 20,
		L0CompactionThreshold: 8,
		L0StopWritesThreshold: 32,
		LBaseMaxBytes:         256 << 20,
	}
	o.EnsureDefaults()
	return o
}

// openPebble opens name.db under dir with CometBFT's Pebble binding (the
// Pebble version CometBFT's own databases use).
func openPebble(name, dir string) (idb.DB, error) {
	db, err := cmtdb.NewPebbleDBWithOpts(name, dir, PebbleOptions())
	if err != nil {
		return nil, err
	}
	return pebbleDB{db}, nil
}

// pebbleDB adapts cometbft-db's Pebble database to IAVL's DB interface
// (the same methods, but IAVL's Batch also reports its size).
type pebbleDB struct{ *cmtdb.PebbleDB }

func (d pebbleDB) Iterator(start, end []byte) (idb.Iterator, error) {
	it, err := d.PebbleDB.Iterator(start, end)
	return copyingIterator{it}, err
}

func (d pebbleDB) ReverseIterator(start, end []byte) (idb.Iterator, error) {
	it, err := d.PebbleDB.ReverseIterator(start, end)
	return copyingIterator{it}, err
}

// copyingIterator returns keys and values that stay valid after Next, as
// IAVL expects (goleveldb's binding copies them; Pebble's reuses its
// buffers, so IAVL's iterators would see later entries' bytes).
type copyingIterator struct{ cmtdb.Iterator }

func (it copyingIterator) Key() []byte   { return bytes.Clone(it.Iterator.Key()) }
func (it copyingIterator) Value() []byte { return bytes.Clone(it.Iterator.Value()) }

func (d pebbleDB) NewBatch() idb.Batch { return pebbleBatch{d.PebbleDB.NewBatch()} }

func (d pebbleDB) NewBatchWithSize(int) idb.Batch { return d.NewBatch() }

type pebbleBatch struct{ cmtdb.Batch }

// GetByteSize is only used by IAVL to decide when to flush a batch early,
// which Store turns off (FlushThresholdOption): one batch per version.
func (b pebbleBatch) GetByteSize() (int, error) { return 0, nil }
