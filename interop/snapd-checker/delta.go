package main

// delta-download has snapd's own store package refresh a snap from one revision to the next
// against snapdepot and download it with store.Download, which goes through the delta the store
// announces when xdelta3 is installed (store/store_download.go downloadAndApplyDelta), exactly as
// snapd's daemon does; the old revision's file waits where snapd keeps it (dirs.SnapBlobDir).

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "golang.org/x/crypto/sha3"

	"github.com/snapcore/snapd/dirs"
	"github.com/snapcore/snapd/osutil"
	"github.com/snapcore/snapd/snap"
	"github.com/snapcore/snapd/store"
)

type deltaSpec struct {
	URL      string `json:"url"`
	Name     string `json:"name"`
	SnapID   string `json:"snap-id"`
	Revision int    `json:"revision"`
	Channel  string `json:"channel"`
	// The file of the installed revision, put where snapd keeps it.
	File string `json:"file"`
	// Where the downloaded revision is written.
	Out string `json:"out"`
}

type deltaReport struct {
	Target     int    `json:"target"`
	Deltas     int    `json:"deltas"`
	DeltaFrom  int    `json:"delta-from"`
	DeltaSize  int64  `json:"delta-size"`
	Size       int64  `json:"size"`
	Sha3_384   string `json:"sha3-384"`
	Downloaded string `json:"downloaded-sha3-384"`
	Error      string `json:"error,omitempty"`
}

func deltaDownload(specPath string) error {
	var spec deltaSpec
	if err := readSpec(specPath, &spec); err != nil {
		return err
	}
	base, err := url.Parse(spec.URL + "/")
	if err != nil {
		return err
	}
	root, err := ioutil.TempDir("", "snapd-delta-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	dirs.SetRootDir(root)
	if err := os.MkdirAll(dirs.SnapBlobDir, 0755); err != nil {
		return err
	}
	installed := filepath.Join(dirs.SnapBlobDir, fmt.Sprintf("%s_%d.snap", spec.Name, spec.Revision))
	if err := osutil.CopyFile(spec.File, installed, 0); err != nil {
		return err
	}
	sto := newStore(base, nil, "")
	cur := &store.CurrentSnap{
		InstanceName: spec.Name, SnapID: spec.SnapID, Revision: snap.R(spec.Revision), TrackingChannel: spec.Channel,
		Epoch: snap.Epoch{Read: []uint32{0}, Write: []uint32{0}}, RefreshedDate: time.Now(),
	}
	results, _, err := sto.SnapAction(context.Background(), []*store.CurrentSnap{cur},
		[]*store.SnapAction{{Action: "refresh", InstanceName: spec.Name, SnapID: spec.SnapID}}, nil, nil, nil)
	if err != nil {
		return err
	}
	if len(results) != 1 {
		return fmt.Errorf("%d results", len(results))
	}
	info := results[0].Info
	report := deltaReport{Target: info.Revision.N, Deltas: len(info.Deltas), Size: info.Size, Sha3_384: info.Sha3_384}
	if len(info.Deltas) > 0 {
		report.DeltaFrom = info.Deltas[0].FromRevision
		report.DeltaSize = info.Deltas[0].Size
	}
	if err := sto.Download(context.Background(), spec.Name, spec.Out, &info.DownloadInfo, nil, nil, nil); err != nil {
		report.Error = err.Error()
	} else if digest, _, err := osutil.FileDigest(spec.Out, crypto.SHA3_384); err != nil {
		report.Error = err.Error()
	} else {
		report.Downloaded = fmt.Sprintf("%x", digest)
	}
	out, err := json.Marshal(report)
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}
