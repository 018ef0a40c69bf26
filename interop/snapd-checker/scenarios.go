package main

// store-scenarios drives snapd's own store package (store.SnapAction, SnapInfo, Find, device
// sessions) against a running snapdepot seeded by the Swift test, and prints one line per check.

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/snapcore/snapd/asserts"
	"github.com/snapcore/snapd/asserts/assertstest"
	"github.com/snapcore/snapd/asserts/sysdb"
	"github.com/snapcore/snapd/overlord/auth"
	"github.com/snapcore/snapd/snap"
	"github.com/snapcore/snapd/store"
)

type scenarioSpec struct {
	URL        string   `json:"url"`
	SnapID     string   `json:"snap-id"`
	EpochSnap  string   `json:"epoch-snap-id"`
	BrandKey   string   `json:"brand-key"`
	Model      string   `json:"model"`
	Devices    int      `json:"devices"`
	Validation []string `json:"validation-set"`
	// The share measurement: this many more device identities (sharing a pool of keys), and the
	// progressive percentages the admin API sets on candidate in turn.
	AdminToken   string    `json:"admin-token"`
	ShareDevices int       `json:"share-devices"`
	Shares       []float64 `json:"shares"`
}

type checks struct{ passed, failed int }

func (c *checks) expect(ok bool, what string, detail interface{}) {
	if ok {
		c.passed++
		fmt.Printf("ok   %s\n", what)
	} else {
		c.failed++
		fmt.Printf("FAIL %s: %v\n", what, detail)
	}
}

// deviceContext is the minimum of snapd's DeviceAndAuthContext a registered device needs.
type deviceContext struct {
	device  *auth.DeviceState
	key     asserts.PrivateKey
	serial  *asserts.Serial
	model   *asserts.Model
	storeID string
}

func (d *deviceContext) Device() (*auth.DeviceState, error) { return d.device, nil }
func (d *deviceContext) UpdateDeviceAuth(device *auth.DeviceState, session string) (*auth.DeviceState, error) {
	d.device.SessionMacaroon = session
	return d.device, nil
}
func (d *deviceContext) UpdateUserAuth(user *auth.UserState, discharges []string) (*auth.UserState, error) {
	return user, nil
}
func (d *deviceContext) StoreID(fallback string) (string, error) {
	if d.storeID != "" {
		return d.storeID, nil
	}
	return fallback, nil
}
func (d *deviceContext) DeviceSessionRequestParams(nonce string) (*store.DeviceSessionRequestParams, error) {
	a, err := asserts.SignWithoutAuthority(asserts.DeviceSessionRequestType, map[string]interface{}{
		"brand-id": d.serial.BrandID(), "model": d.serial.Model(), "serial": d.serial.Serial(),
		"nonce": nonce, "timestamp": time.Now().UTC().Format(time.RFC3339),
	}, nil, d.key)
	if err != nil {
		return nil, err
	}
	return &store.DeviceSessionRequestParams{Request: a.(*asserts.DeviceSessionRequest), Serial: d.serial, Model: d.model}, nil
}
func (d *deviceContext) ProxyStoreParams(defaultURL *url.URL) (string, *url.URL, error) {
	return "", defaultURL, nil
}
func (d *deviceContext) CloudInfo() (*auth.CloudInfo, error) { return nil, nil }

func newStore(base *url.URL, ctx store.DeviceAndAuthContext, storeID string) *store.Store {
	cfg := store.DefaultConfig()
	cfg.StoreBaseURL = base
	cfg.AssertionsBaseURL = base
	cfg.Architecture = "amd64"
	cfg.Series = "16"
	cfg.StoreID = storeID
	return store.New(cfg, ctx)
}

func refreshTo(sto *store.Store, current *store.CurrentSnap, action *store.SnapAction) (int, error) {
	results, _, err := sto.SnapAction(context.Background(), []*store.CurrentSnap{current}, []*store.SnapAction{action}, nil, nil, nil)
	if err != nil {
		return 0, err
	}
	if len(results) != 1 {
		return 0, fmt.Errorf("%d results", len(results))
	}
	return results[0].Info.Revision.N, nil
}

// readSpec reads the JSON the Swift test wrote for a subcommand.
func readSpec(path string, spec interface{}) error {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, spec)
}

// brandSigningDB signs for a brand with its PKCS#8 PEM key, as the store's brand-keys hold it.
func brandSigningDB(pemText, brandID string) (*assertstest.SigningDB, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, fmt.Errorf("no brand key")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rsaKey, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the brand key is not RSA")
	}
	return assertstest.NewSigningDB(brandID, asserts.RSAPrivateKey(rsaKey)), nil
}

func runScenarios(specPath string) error {
	var spec scenarioSpec
	if err := readSpec(specPath, &spec); err != nil {
		return err
	}
	base, err := url.Parse(spec.URL + "/")
	if err != nil {
		return err
	}
	c := &checks{}
	ctx := context.Background()
	anonymous := newStore(base, nil, "")
	zero := snap.Epoch{Read: []uint32{0}, Write: []uint32{0}}

	rev, err := refreshTo(anonymous, current(spec.SnapID, 1, "beta"), &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID})
	c.expect(err == nil && rev == 2, "refresh on the tracked channel (beta: r1 → r2)", fmt.Sprint(rev, err))
	_, err = refreshTo(anonymous, current(spec.SnapID, 1, "stable"), &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID})
	c.expect(err != nil, "no update when current (stable does not see beta)", err)
	rev, err = refreshTo(anonymous, current(spec.SnapID, 1, "stable"), &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID, Channel: "beta"})
	c.expect(err == nil && rev == 2, "channel switch to beta", fmt.Sprint(rev, err))
	epochCurrent := &store.CurrentSnap{InstanceName: "epoch-snap", SnapID: spec.EpochSnap, Revision: snap.R(1), TrackingChannel: "stable", Epoch: zero, RefreshedDate: time.Now()}
	_, err = refreshTo(anonymous, epochCurrent, &store.SnapAction{Action: "refresh", InstanceName: "epoch-snap", SnapID: spec.EpochSnap})
	c.expect(err != nil, "a new-epoch revision is not offered to an old-epoch install", err)
	rev, err = refreshTo(anonymous, current(spec.SnapID, 2, "beta"), &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID, ValidationSets: [][]string{spec.Validation}})
	c.expect(err == nil && rev == 1, "a validation set pins an older revision", fmt.Sprint(rev, err))
	results, _, err := anonymous.SnapAction(ctx, nil, []*store.SnapAction{{Action: "install", InstanceName: "branded", Channel: "stable"}}, nil, nil, nil)
	c.expect(err != nil && len(results) == 0, "a brand-store snap is invisible without the store header", err)
	branded := newStore(base, nil, "acme-store")
	results, _, err = branded.SnapAction(ctx, nil, []*store.SnapAction{{Action: "install", InstanceName: "branded", Channel: "stable"}}, nil, nil, nil)
	c.expect(err == nil && len(results) == 1, "the brand-store snap is found with the store header", err)
	unknown := &store.CurrentSnap{InstanceName: "ghost", SnapID: "ghostsnapid000000000000000000001", Revision: snap.R(1), TrackingChannel: "stable", Epoch: zero}
	_, _, err = anonymous.SnapAction(ctx, []*store.CurrentSnap{unknown}, []*store.SnapAction{{Action: "refresh", InstanceName: "ghost", SnapID: unknown.SnapID}}, nil, nil, nil)
	snapErr, isSnapErr := err.(*store.SnapActionError)
	c.expect(isSnapErr && snapErr.Refresh["ghost"] == store.ErrSnapNotFound, "unknown snap-id is a per-snap error", err)

	// Bulk assertion fetch, as the daemon's periodic refresh does it.
	db, err := asserts.OpenDatabase(&asserts.DatabaseConfig{Backstore: asserts.NewMemoryBackstore(), Trusted: sysdb.Trusted()})
	if err != nil {
		return err
	}
	pool := asserts.NewPool(db, 16)
	if err := pool.AddUnresolved(&asserts.AtRevision{Ref: asserts.Ref{Type: asserts.SnapDeclarationType, PrimaryKey: []string{"16", spec.SnapID}}, Revision: asserts.RevisionNotKnown}, "g1"); err != nil {
		return err
	}
	_, assertionResults, err := anonymous.SnapAction(ctx, nil, nil, pool, nil, nil)
	c.expect(err == nil && len(assertionResults) == 1 && len(assertionResults[0].StreamURLs) == 1, "fetch-assertions in bulk", fmt.Sprint(assertionResults, err))
	if err == nil && len(assertionResults) == 1 && len(assertionResults[0].StreamURLs) == 1 {
		batch := asserts.NewBatch(nil)
		err = anonymous.DownloadAssertions(assertionResults[0].StreamURLs, batch, nil)
		c.expect(err == nil, "the stream URL serves the declaration", err)
	}

	info, err := anonymous.SnapInfo(ctx, store.SnapSpec{Name: "hello-depot"}, nil)
	c.expect(err == nil && info.SnapID == spec.SnapID && len(info.Channels) >= 2, "snap info through the store package", err)
	found, err := anonymous.Find(ctx, &store.Search{Query: "hello-depot"}, nil)
	c.expect(err == nil && len(found) >= 1 && found[0].SnapName() == "hello-depot", "find through the store package", err)

	// Registered devices: nonce + session through the store package, then refreshes carrying the
	// session; a 30 % rollout on candidate reaches 30 ± 5 % of them, the same ones every time.
	brandDB, err := brandSigningDB(spec.BrandKey, "acme-brand")
	if err != nil {
		return err
	}
	modelAssertion, err := asserts.Decode([]byte(spec.Model))
	if err != nil {
		return err
	}
	first := map[int]int{}
	var devices []*deviceContext
	for i := 0; i < spec.Devices; i++ {
		key, _ := assertstest.GenerateKey(1024)
		pub, err := asserts.EncodePublicKey(key.PublicKey())
		if err != nil {
			return err
		}
		serial, err := brandDB.Sign(asserts.SerialType, map[string]interface{}{
			"authority-id": "acme-brand", "brand-id": "acme-brand", "model": "my-pi3", "serial": fmt.Sprintf("DEV-%05d", i),
			"device-key": string(pub), "device-key-sha3-384": key.PublicKey().ID(), "timestamp": time.Now().UTC().Format(time.RFC3339),
		}, nil, "")
		if err != nil {
			return err
		}
		devices = append(devices, &deviceContext{
			device: &auth.DeviceState{Brand: "acme-brand", Model: "my-pi3", Serial: fmt.Sprintf("DEV-%05d", i)},
			key:    key, serial: serial.(*asserts.Serial), model: modelAssertion.(*asserts.Model),
		})
	}
	for round := 0; round < 2; round++ {
		newer := 0
		for i, device := range devices {
			sto := newStore(base, device, "")
			rev, err := refreshTo(sto, current(spec.SnapID, 1, "candidate"), &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID})
			if err != nil {
				c.expect(false, "refresh with a device session", err)
				return nil
			}
			if rev == 4 {
				newer++
			}
			if round == 0 {
				first[i] = rev
			} else if first[i] != rev {
				c.expect(false, "a device gets the same answer every time", fmt.Sprint(i, first[i], rev))
				return nil
			}
		}
		if round == 0 {
			share := float64(newer) * 100 / float64(len(devices))
			c.expect(share >= 25 && share <= 35, fmt.Sprintf("a 30%% rollout reaches %.1f%% of %d devices with sessions", share, len(devices)), share)
		} else {
			c.expect(true, "every device got the same revision again", nil)
		}
	}
	sessions := 0
	for _, device := range devices {
		if device.device.SessionMacaroon != "" {
			sessions++
		}
	}
	c.expect(sessions == len(devices), "every device opened a session through the store package", sessions)

	if err := targetedRelease(c, spec, base, devices); err != nil {
		return err
	}
	cohorts(c, spec, base, devices)
	if err := measureShares(c, spec, base, brandDB, modelAssertion.(*asserts.Model)); err != nil {
		return err
	}

	fmt.Printf("%d passed, %d failed\n", c.passed, c.failed)
	if c.failed > 0 {
		return fmt.Errorf("%d store scenario(s) failed", c.failed)
	}
	return nil
}

// current is hello-depot installed at a revision, tracking a channel.
func current(id string, rev int, channel string) *store.CurrentSnap {
	return &store.CurrentSnap{InstanceName: "hello-depot", SnapID: id, Revision: snap.R(rev), TrackingChannel: channel, Epoch: snap.Epoch{Read: []uint32{0}, Write: []uint32{0}}, RefreshedDate: time.Now()}
}

// measureShares sets each progressive percentage on candidate through the admin API, then has
// spec.ShareDevices distinct device identities (each a serial signed by the brand and a session
// of its own; 64 device keys shared among them) ask for a refresh twice through snapd's store
// package: the share that gets revision 4 must land within 2 points, and no device's answer may
// change between its two requests.
func measureShares(c *checks, spec scenarioSpec, base *url.URL, brandDB *assertstest.SigningDB, model *asserts.Model) error {
	if spec.ShareDevices == 0 {
		return nil
	}
	var keys []asserts.PrivateKey
	for i := 0; i < 64; i++ {
		key, _ := assertstest.GenerateKey(1024)
		keys = append(keys, key)
	}
	devices := make([]*deviceContext, spec.ShareDevices)
	for i := range devices {
		key := keys[i%len(keys)]
		pub, err := asserts.EncodePublicKey(key.PublicKey())
		if err != nil {
			return err
		}
		name := fmt.Sprintf("SHARE-%05d", i)
		serial, err := brandDB.Sign(asserts.SerialType, map[string]interface{}{
			"authority-id": "acme-brand", "brand-id": "acme-brand", "model": "my-pi3", "serial": name,
			"device-key": string(pub), "device-key-sha3-384": key.PublicKey().ID(), "timestamp": time.Now().UTC().Format(time.RFC3339),
		}, nil, "")
		if err != nil {
			return err
		}
		devices[i] = &deviceContext{
			device: &auth.DeviceState{Brand: "acme-brand", Model: "my-pi3", Serial: name},
			key:    key, serial: serial.(*asserts.Serial), model: model,
		}
	}
	for _, share := range spec.Shares {
		if err := adminPost(base, spec.AdminToken, "/admin/v1/snaps/hello-depot/progressive", fmt.Sprintf(`{"channel": "candidate", "percentage": %g}`, share)); err != nil {
			return err
		}
		// Sixteen devices at a time: the store answers many at once, as it would a fleet.
		answers := make([][2]int, len(devices))
		failures := make(chan error, len(devices))
		work := make(chan int)
		var group sync.WaitGroup
		for w := 0; w < 16; w++ {
			group.Add(1)
			go func() {
				defer group.Done()
				for i := range work {
					sto := newStore(base, devices[i], "")
					for n := 0; n < 2; n++ {
						rev, err := refreshTo(sto, current(spec.SnapID, 1, "candidate"), &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID})
						if err != nil {
							failures <- fmt.Errorf("refresh of %s: %v", devices[i].device.Serial, err)
							break
						}
						answers[i][n] = rev
					}
				}
			}()
		}
		for i := range devices {
			work <- i
		}
		close(work)
		group.Wait()
		close(failures)
		if err := <-failures; err != nil {
			return err
		}
		newer, flipped := 0, 0
		for _, answer := range answers {
			if answer[0] == 4 {
				newer++
			}
			if answer[0] != answer[1] {
				flipped++
			}
		}
		measured := float64(newer) * 100 / float64(len(devices))
		c.expect(measured >= share-2 && measured <= share+2,
			fmt.Sprintf("a %g%% rollout reaches %.2f%% of %d device identities", share, measured, len(devices)), measured)
		c.expect(flipped == 0, fmt.Sprintf("no device's answer flips between two requests at %g%%", share), flipped)
	}
	return nil
}

// adminPost sends one admin API call, as the release manager's CLI would.
func adminPost(base *url.URL, token, path, body string) error {
	request, err := http.NewRequest("POST", base.String()+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	request.Header.Set("Authorization", "Bearer "+token)
	request.Header.Set("Content-Type", "application/json")
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	if response.StatusCode/100 != 2 {
		text, _ := ioutil.ReadAll(response.Body)
		return fmt.Errorf("%s: HTTP %d: %s", path, response.StatusCode, text)
	}
	return nil
}

// targetedRelease tags one registered device canary, makes a group of the tag, releases revision 3
// to beta for that group only, and has snapd's store package ask for both that device and another.
func targetedRelease(c *checks, spec scenarioSpec, base *url.URL, devices []*deviceContext) error {
	if spec.AdminToken == "" || len(devices) < 2 {
		return nil
	}
	steps := [][2]string{
		{"/admin/v1/devices/tags", fmt.Sprintf(`{"serials": [%q], "brand": "acme-brand", "add": ["canary"]}`, devices[0].device.Serial)},
		{"/admin/v1/groups", `{"name": "canary", "brand": "acme-brand", "tag": "canary"}`},
		{"/admin/v1/snaps/hello-depot/releases", `{"revision": 3, "channels": ["beta"], "to": "canary"}`},
	}
	for _, step := range steps {
		if err := adminPost(base, spec.AdminToken, step[0], step[1]); err != nil {
			return err
		}
	}
	action := &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID}
	rev, err := refreshTo(newStore(base, devices[0], ""), current(spec.SnapID, 2, "beta"), action)
	c.expect(err == nil && rev == 3, "the canary device gets the release targeted at its group", fmt.Sprint(rev, err))
	_, err = refreshTo(newStore(base, devices[1], ""), current(spec.SnapID, 2, "beta"), action)
	c.expect(err != nil, "a device outside the group keeps following beta", err)
	_, err = refreshTo(newStore(base, nil, ""), current(spec.SnapID, 2, "beta"), action)
	c.expect(err != nil, "an anonymous device keeps following beta", err)
	return nil
}

// cohorts asks snapd's store package for cohort keys of hello-depot while candidate holds a 30 %
// rollout of revision 4, then refreshes twenty registered devices (and an anonymous one) in each
// cohort: within a cohort all get the same answer, and across twenty cohorts both answers occur,
// so a cohort moves as one unit. A key the store did not make is refused.
func cohorts(c *checks, spec scenarioSpec, base *url.URL, devices []*deviceContext) {
	anonymous := newStore(base, nil, "")
	answer := func(sto *store.Store, key string) int {
		cur := current(spec.SnapID, 1, "candidate")
		cur.CohortKey = key
		rev, err := refreshTo(sto, cur, &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID})
		if err != nil {
			return 1 // no update: it stays on revision 1
		}
		return rev
	}
	split, agreed := map[int]int{}, true
	for cohort := 0; cohort < 20; cohort++ {
		keys, err := anonymous.CreateCohorts(context.Background(), []string{"hello-depot"})
		if err != nil || keys["hello-depot"] == "" {
			c.expect(false, "create a cohort through the store package", fmt.Sprint(keys, err))
			return
		}
		first := answer(anonymous, keys["hello-depot"])
		members := devices
		if len(members) > 20 {
			members = members[:20] // twenty devices per cohort: enough for a 30 % split to show
		}
		for _, device := range members {
			if answer(newStore(base, device, ""), keys["hello-depot"]) != first {
				agreed = false
			}
		}
		split[first]++
	}
	c.expect(agreed, "every device of a cohort, and an anonymous one, gets the same revision of a 30% rollout", split)
	// Revision 4 for the cohorts inside the 30 %, candidate's completed release for the others.
	c.expect(split[4] > 0 && len(split) == 2, "twenty cohorts fall on both sides of the rollout, each as one unit", split)
	cur := current(spec.SnapID, 1, "candidate")
	cur.CohortKey = "MSBmb3JnZWQ="
	_, err := refreshTo(anonymous, cur, &store.SnapAction{Action: "refresh", InstanceName: "hello-depot", SnapID: spec.SnapID})
	c.expect(err != nil && strings.Contains(err.Error(), "cohort"), "a cohort key the store did not make is refused", err)
}
