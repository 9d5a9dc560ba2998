package p2p

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"tangent/store"
)

// fetchShardSet fetches shards of sm until K are complete (data shards
// first, a few at a time), then rebuilds the blob in the local store.
func (n *Node) fetchShardSet(ctx context.Context, sm store.ShardManifest, opts FetchOptions) (store.Info, error) {
	if info, err := n.store.Stat(sm.Blob); err == nil && info.Complete {
		return info, nil
	}
	if err := n.FetchShards(ctx, sm, opts); err != nil {
		return store.Info{}, err
	}
	return n.store.Rebuild(sm, opts.Retention)
}

// FetchShards fetches shards of sm into the local store until at least K
// are complete. Shards no provider has are skipped; with fewer than K it
// returns a *store.NotEnoughShardsError listing why.
func (n *Node) FetchShards(ctx context.Context, sm store.ShardManifest, opts FetchOptions) error {
	have := 0
	var todo []int
	for j, c := range sm.Shards {
		if n.store.Has(c) {
			have++
		} else {
			todo = append(todo, j)
		}
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	sem := make(chan struct{}, 4)
	sopts := opts
	sopts.Progress = nil
	for _, j := range todo {
		mu.Lock()
		enough := have >= sm.K
		mu.Unlock()
		if enough {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			mu.Lock()
			if have >= sm.K {
				mu.Unlock()
				return
			}
			mu.Unlock()
			_, err := n.Fetch(ctx, sm.Shards[j], sopts)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("shard %d: %w", j, err))
				return
			}
			have++
		}()
	}
	wg.Wait()
	if have < sm.K {
		return errors.Join(&store.NotEnoughShardsError{Have: have, Need: sm.K}, errors.Join(errs...))
	}
	return nil
}
