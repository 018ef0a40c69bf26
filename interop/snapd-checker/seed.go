package main

import (
	"fmt"
	"path/filepath"

	"github.com/snapcore/snapd/asserts"
	"github.com/snapcore/snapd/seed"
	"github.com/snapcore/snapd/timings"
)

// loadSeed opens a seed with snapd's seed package as a device's first boot does: assertions
// cross-checked into a database that trusts only the given roots, then the snaps' metadata,
// files and digests. It prints one line per snap.
func loadSeed(trustedPath, seedDir string) error {
	db, err := openTrustedDB(trustedPath)
	if err != nil {
		return err
	}
	commitTo := func(b *asserts.Batch) error { return b.CommitTo(db, nil) }
	// A UC20+ seed holds recovery systems; the checker loads the only one there is.
	label := ""
	if systems, _ := filepath.Glob(filepath.Join(seedDir, "systems", "*")); len(systems) == 1 {
		label = filepath.Base(systems[0])
	}
	sd, err := seed.Open(seedDir, label)
	if err != nil {
		return err
	}
	if err := sd.LoadAssertions(db, commitTo); err != nil {
		return fmt.Errorf("load assertions: %v", err)
	}
	if err := sd.LoadMeta(seed.AllModes, nil, timings.New(nil)); err != nil {
		return fmt.Errorf("load meta: %v", err)
	}
	model := sd.Model()
	fmt.Printf("model %s/%s\n", model.BrandID(), model.Model())
	essential := sd.EssentialSnaps()
	for _, sn := range essential {
		fmt.Printf("essential %s %s %s %s\n", sn.SnapName(), sn.SideInfo.Revision, sn.EssentialType, sn.Channel)
	}
	others, err := sd.ModeSnaps("run")
	if err != nil {
		return err
	}
	for _, sn := range others {
		fmt.Printf("snap %s %s %s\n", sn.SnapName(), sn.SideInfo.Revision, sn.Channel)
	}
	return nil
}
