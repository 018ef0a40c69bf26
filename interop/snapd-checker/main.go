// snapd-checker drives snapd's own assertion code (Debian's golang-github-snapcore-snapd-dev)
// so that snapdepot's tests can check it against the real thing, both ways:
//
//	snapd-checker make OUTDIR [--root testrootorg|generated]
//	    signs one assertion of every type snapdepot supports with snapd's signer and writes them,
//	    with the trusted root, the brand and device private keys (0600) and a manifest.
//	snapd-checker sign-snap SNAP REVISION OUT.assert
//	    signs, as snapd's test root, what the real store would for SNAP: the publisher's account,
//	    a snap-declaration and a snap-revision, written in `snap download`'s .assert order.
//	snapd-checker snap-info SNAP
//	    reads a .snap with snapd's own snapfile and snap packages (unsquashfs, ReadInfoFromSnapFile,
//	    Validate) and prints what snapd makes of it as JSON.
//	snapd-checker verify TRUSTED.assert STREAM.assert...
//	    decodes every assertion with snapd's decoder and adds it to a snapd assertion database
//	    rooted at TRUSTED (retrying in dependency order); prints one line per assertion.
//
// It is built in GOPATH mode against the installed snapd source; nothing of snapd is copied here.
package main

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/snapcore/snapd/asserts"
	"github.com/snapcore/snapd/asserts/assertstest"
	"github.com/snapcore/snapd/asserts/systestkeys"
	"github.com/snapcore/snapd/interfaces/builtin"
	"github.com/snapcore/snapd/snap"
	"github.com/snapcore/snapd/snap/snapfile"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "make":
		if len(os.Args) < 3 {
			usage()
		}
		root := "testrootorg"
		if len(os.Args) == 5 && os.Args[3] == "--root" {
			root = os.Args[4]
		}
		err = makeAll(os.Args[2], root)
	case "sign-snap":
		if len(os.Args) != 5 {
			usage()
		}
		err = signSnap(os.Args[2], os.Args[3], os.Args[4])
	case "store-scenarios":
		if len(os.Args) != 3 {
			usage()
		}
		err = runScenarios(os.Args[2])
	case "register-device":
		if len(os.Args) != 3 {
			usage()
		}
		err = runRegister(os.Args[2])
	case "snap-action-request":
		if len(os.Args) != 3 {
			usage()
		}
		err = snapActionRequest(os.Args[2])
	case "snap-info":
		if len(os.Args) != 3 {
			usage()
		}
		err = snapInfo(os.Args[2])
	case "seed-load":
		if len(os.Args) != 4 {
			usage()
		}
		err = loadSeed(os.Args[2], os.Args[3])
	case "delta-download":
		if len(os.Args) != 3 {
			usage()
		}
		err = deltaDownload(os.Args[2])
	case "verify":
		if len(os.Args) < 4 {
			usage()
		}
		err = verify(os.Args[2], os.Args[3:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: snapd-checker make OUTDIR [--root testrootorg|generated] | snap-info SNAP | verify TRUSTED STREAM... | seed-load TRUSTED SEEDDIR | store-scenarios SPEC | register-device SPEC | snap-action-request SPEC | delta-download SPEC")
	os.Exit(2)
}

type entry struct {
	File string `json:"file"`
	Type string `json:"type"`
	// The lowest format snapd's SuggestFormat allows for these headers.
	MinFormat int `json:"min-format"`
}

type maker struct {
	dir      string
	n        int
	manifest []entry
	stream   bytes.Buffer
	encoder  *asserts.Encoder
}

func (m *maker) write(name string, a asserts.Assertion) error {
	m.n++
	file := fmt.Sprintf("%02d-%s.assert", m.n, name)
	encoded := asserts.Encode(a)
	if err := ioutil.WriteFile(filepath.Join(m.dir, file), encoded, 0644); err != nil {
		return err
	}
	headers := a.Headers()
	min, err := asserts.SuggestFormat(a.Type(), headers, a.Body())
	if err != nil {
		return err
	}
	m.manifest = append(m.manifest, entry{File: file, Type: a.Type().Name, MinFormat: min})
	if m.encoder == nil {
		m.encoder = asserts.NewEncoder(&m.stream)
	}
	return m.encoder.Encode(a)
}

func writeKey(path string, key *rsa.PrivateKey) error {
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	return ioutil.WriteFile(path, pem.EncodeToMemory(block), 0600)
}

func makeAll(dir, root string) error {
	if err := os.MkdirAll(dir, 0755); err != nil {
		return err
	}
	m := &maker{dir: dir}
	now := time.Now().UTC().Truncate(time.Second)
	ts := now.Format(time.RFC3339)
	since := now.Add(-time.Hour).Format(time.RFC3339)

	var rootID string
	var rootDB *assertstest.SigningDB
	var storeKeyID string
	var trusted []asserts.Assertion
	switch root {
	case "testrootorg":
		rootID = "testrootorg"
		rootKey, _ := assertstest.ReadPrivKey(systestkeys.TestRootPrivKey)
		storeKey, _ := assertstest.ReadPrivKey(systestkeys.TestStorePrivKey)
		rootDB = assertstest.NewSigningDB(rootID, rootKey)
		if err := rootDB.ImportKey(storeKey); err != nil {
			return err
		}
		storeKeyID = storeKey.PublicKey().ID()
		trusted = []asserts.Assertion{systestkeys.TestRootAccount, systestkeys.TestRootAccountKey}
		if err := m.write("store-account-key", systestkeys.TestStoreAccountKey); err != nil {
			return err
		}
	case "generated":
		rootID = "goldenroot"
		rootKey, _ := assertstest.GenerateKey(2048)
		rootDB = assertstest.NewSigningDB(rootID, rootKey)
		storeKeyID = rootKey.PublicKey().ID()
		account, err := rootDB.Sign(asserts.AccountType, map[string]interface{}{
			"authority-id": rootID, "account-id": rootID, "display-name": "Golden Root",
			"validation": "verified", "timestamp": ts,
		}, nil, "")
		if err != nil {
			return err
		}
		pubKey, err := asserts.EncodePublicKey(rootKey.PublicKey())
		if err != nil {
			return err
		}
		accountKey, err := rootDB.Sign(asserts.AccountKeyType, map[string]interface{}{
			"authority-id": rootID, "account-id": rootID, "name": "root",
			"public-key-sha3-384": rootKey.PublicKey().ID(), "since": since,
		}, pubKey, "")
		if err != nil {
			return err
		}
		trusted = []asserts.Assertion{account, accountKey}
	default:
		return fmt.Errorf("unknown root %q", root)
	}
	var trustedBuf bytes.Buffer
	enc := asserts.NewEncoder(&trustedBuf)
	for _, a := range trusted {
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
	if err := ioutil.WriteFile(filepath.Join(dir, "trusted.assert"), trustedBuf.Bytes(), 0644); err != nil {
		return err
	}

	brandKey, brandRSA := assertstest.GenerateKey(2048)
	if err := writeKey(filepath.Join(dir, "brand.key"), brandRSA); err != nil {
		return err
	}
	deviceKey, deviceRSA := assertstest.GenerateKey(2048)
	if err := writeKey(filepath.Join(dir, "device.key"), deviceRSA); err != nil {
		return err
	}
	brandDB := assertstest.NewSigningDB("acme-brand", brandKey)
	// The device key also goes through snapd's file key-pair manager, whose encoded private-key
	// format snapdepot can import.
	fskm, err := asserts.OpenFSKeypairManager(filepath.Join(dir, "snapd-keys"))
	if err != nil {
		return err
	}
	if err := fskm.Put(deviceKey); err != nil {
		return err
	}

	type signing struct {
		name    string
		db      *assertstest.SigningDB
		typ     *asserts.AssertionType
		headers map[string]interface{}
		body    string
		keyID   string
	}
	brandPub, err := asserts.EncodePublicKey(brandKey.PublicKey())
	if err != nil {
		return err
	}
	devicePub, err := asserts.EncodePublicKey(deviceKey.PublicKey())
	if err != nil {
		return err
	}
	snapDigest := "gqd02v3fXrPUbpneO6bNekpQ9JTnlk_dPg0_5vW76f0AzZgXFWwTROtxf8Yu59l5"
	otherDigest := "Zk5J9kc1bqjx7wuhs9vS7pqBmW6JkfNxWYX3NqmXuAOQyhTvjTs3oK42c3nx4Vmd"
	steps := []signing{
		{"account-brand", rootDB, asserts.AccountType, map[string]interface{}{
			"authority-id": rootID, "account-id": "acme-brand", "display-name": "ACME Devices",
			"username": "acme", "validation": "verified", "timestamp": ts}, "", storeKeyID},
		{"account-key-brand", rootDB, asserts.AccountKeyType, map[string]interface{}{
			"authority-id": rootID, "account-id": "acme-brand", "name": "models",
			"public-key-sha3-384": brandKey.PublicKey().ID(), "since": since}, string(brandPub), ""},
		{"snap-declaration-format0", rootDB, asserts.SnapDeclarationType, map[string]interface{}{
			"authority-id": rootID, "series": "16", "snap-id": "myawesomesnapid00000000000000000",
			"snap-name": "myawesomesnap", "publisher-id": "acme-brand", "timestamp": ts}, "", storeKeyID},
		{"snap-declaration-format1", rootDB, asserts.SnapDeclarationType, map[string]interface{}{
			"authority-id": rootID, "format": "1", "series": "16", "snap-id": "mysecondawesomesnapid00000000000",
			"snap-name": "mysecondawesomesnap", "publisher-id": "acme-brand", "timestamp": ts,
			"refresh-control": []interface{}{"myawesomesnapid00000000000000000"},
			"auto-aliases":    []interface{}{"second"},
			"aliases": []interface{}{
				map[string]interface{}{"name": "second", "target": "app"},
				map[string]interface{}{"name": "second.tool", "target": "tool"},
			},
			"plugs": map[string]interface{}{
				"network-control": map[string]interface{}{"allow-auto-connection": "true"},
				"serial-port":     map[string]interface{}{"allow-installation": "true"},
			},
			"slots": map[string]interface{}{
				"content": map[string]interface{}{"allow-connection": map[string]interface{}{
					"plug-snap-type": []interface{}{"app", "gadget"}}},
			},
			"revision-authority": []interface{}{map[string]interface{}{
				"account-id": "acme-brand", "provenance": []interface{}{"acme-factory"}, "min-revision": "1"}},
		}, "", storeKeyID},
		{"snap-declaration-format5", rootDB, asserts.SnapDeclarationType, map[string]interface{}{
			"authority-id": rootID, "format": "5", "series": "16", "snap-id": "pi3gadgetsnapid00000000000000000",
			"snap-name": "pi3", "publisher-id": "acme-brand", "timestamp": ts,
			"plugs": map[string]interface{}{
				"shared-memory": map[string]interface{}{
					"allow-installation": map[string]interface{}{
						"plug-attributes": map[string]interface{}{"shared-memory": []interface{}{"foo", "bar"}},
					},
					"allow-auto-connection": []interface{}{
						map[string]interface{}{"plug-names": []interface{}{"shmem"}, "on-store": []interface{}{"acme-store"}},
						map[string]interface{}{"slot-attributes": map[string]interface{}{"path": "$PLUG(path)"}},
					},
				},
			},
		}, "", storeKeyID},
		{"snap-declaration-kernel", rootDB, asserts.SnapDeclarationType, map[string]interface{}{
			"authority-id": rootID, "series": "16", "snap-id": "pi2kernelsnapid00000000000000000",
			"snap-name": "pi2-kernel", "publisher-id": "acme-brand", "timestamp": ts}, "", storeKeyID},
		{"snap-revision", rootDB, asserts.SnapRevisionType, map[string]interface{}{
			"authority-id": rootID, "snap-sha3-384": snapDigest, "snap-id": "myawesomesnapid00000000000000000",
			"snap-size": "4096", "snap-revision": "42", "developer-id": "acme-brand", "timestamp": ts}, "", storeKeyID},
		{"snap-revision-provenance", brandDB, asserts.SnapRevisionType, map[string]interface{}{
			"authority-id": "acme-brand", "snap-sha3-384": otherDigest, "provenance": "acme-factory",
			"snap-id": "mysecondawesomesnapid00000000000", "snap-size": "8192", "snap-revision": "7",
			"developer-id": "acme-brand", "timestamp": ts}, "", ""},
		{"model-my-pi3", brandDB, asserts.ModelType, map[string]interface{}{
			"authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16", "model": "my-pi3",
			"architecture": "armhf", "gadget": "pi3", "kernel": "pi2-kernel",
			"required-snaps": []interface{}{"myawesomesnap", "mysecondawesomesnap"}, "timestamp": ts}, "", ""},
		{"model-classic", brandDB, asserts.ModelType, map[string]interface{}{
			"authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16", "model": "acme-classic",
			"classic": "true", "architecture": "amd64", "display-name": "ACME Classic\nfor the lab",
			"serial-authority": []interface{}{"acme-brand", "generic"},
			"required-snaps":   []interface{}{"myawesomesnap"}, "timestamp": ts}, "", ""},
		{"model-uc22", brandDB, asserts.ModelType, map[string]interface{}{
			"authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16", "model": "acme-core22",
			"architecture": "amd64", "base": "core22", "grade": "signed", "storage-safety": "prefer-encrypted",
			"store": "acme-store",
			"snaps": []interface{}{
				map[string]interface{}{"name": "pc", "id": "UqFziVZDHLSyO3TqSWgNBoAdHbLI4dAH", "type": "gadget", "default-channel": "22/stable"},
				map[string]interface{}{"name": "pc-kernel", "id": "pYVQrBcKmBa0mZ4CCN7ExT6jH8rY1hza", "type": "kernel", "default-channel": "22/stable"},
				map[string]interface{}{"name": "snapd", "id": "PMrrV4ml8uWuEUDBT8dSGnKUYbevVhc4", "type": "snapd"},
				map[string]interface{}{"name": "myawesomesnap", "id": "myawesomesnapid00000000000000000", "modes": []interface{}{"run"}, "presence": "optional"},
			}, "timestamp": ts}, "", ""},
		{"serial", brandDB, asserts.SerialType, map[string]interface{}{
			"authority-id": "acme-brand", "brand-id": "acme-brand", "model": "my-pi3", "serial": "A1000",
			"device-key": string(devicePub), "device-key-sha3-384": deviceKey.PublicKey().ID(), "timestamp": ts},
			"mac: 00:11:22:33:44:55\n", ""},
		{"validation-set", brandDB, asserts.ValidationSetType, map[string]interface{}{
			"authority-id": "acme-brand", "series": "16", "account-id": "acme-brand", "name": "fleet",
			"sequence": "3", "revision": "2",
			"snaps": []interface{}{
				map[string]interface{}{"name": "myawesomesnap", "id": "myawesomesnapid00000000000000000", "presence": "required", "revision": "42"},
				map[string]interface{}{"name": "mysecondawesomesnap", "id": "mysecondawesomesnapid00000000000", "presence": "optional"},
				map[string]interface{}{"name": "badsnap", "id": "badsnapid0000000000000000000000x", "presence": "invalid"},
			}, "timestamp": ts}, "", ""},
		{"system-user", brandDB, asserts.SystemUserType, map[string]interface{}{
			"authority-id": "acme-brand", "brand-id": "acme-brand", "format": "1", "email": "factory@acme.example",
			"series": []interface{}{"16"}, "models": []interface{}{"my-pi3"}, "serials": []interface{}{"A1000"},
			"name": "Factory hand-off", "username": "acme-ops",
			"password":              "$6$rounds=5000$saltsalt$nLHIbSsh0BGx2vT3vCM8w4B7tE7c5D8Kn0QX3x.Hp/",
			"force-password-change": "true", "ssh-keys": []interface{}{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI ops@acme"},
			"since": since, "until": "2030-01-01T00:00:00Z"}, "", ""},
		{"snap-developer", brandDB, asserts.SnapDeveloperType, map[string]interface{}{
			"authority-id": "acme-brand", "snap-id": "myawesomesnapid00000000000000000", "publisher-id": "acme-brand",
			"developers": []interface{}{
				map[string]interface{}{"developer-id": "acme-brand", "since": since},
			}}, "", ""},
		{"repair", brandDB, asserts.RepairType, map[string]interface{}{
			"authority-id": "acme-brand", "brand-id": "acme-brand", "repair-id": "1",
			"summary": "restore the network configuration", "series": []interface{}{"16"},
			"models": []interface{}{"acme-brand/my-pi3"}, "architectures": []interface{}{"armhf"},
			"timestamp": ts}, "#!/bin/sh\nset -e\necho fixed\n", ""},
		{"base-declaration", rootDB, asserts.BaseDeclarationType, map[string]interface{}{
			"authority-id": rootID, "series": "16", "timestamp": ts,
			"plugs": map[string]interface{}{"network": map[string]interface{}{"allow-installation": "true"}},
			"slots": map[string]interface{}{"network": map[string]interface{}{
				"allow-installation": map[string]interface{}{"slot-snap-type": []interface{}{"core"}}}},
		}, "", storeKeyID},
		{"store", rootDB, asserts.StoreType, map[string]interface{}{
			"authority-id": rootID, "store": "acme-store", "operator-id": "acme-brand",
			"url": "https://store.acme.example/", "friendly-stores": []interface{}{"other-store"},
			"location": "on-prem", "timestamp": ts}, "", storeKeyID},
	}
	for _, s := range steps {
		var body []byte
		if s.body != "" {
			body = []byte(s.body)
		}
		a, err := s.db.Sign(s.typ, s.headers, body, s.keyID)
		if err != nil {
			return fmt.Errorf("signing %s: %v", s.name, err)
		}
		if err := m.write(s.name, a); err != nil {
			return err
		}
	}
	for _, s := range []struct {
		name    string
		typ     *asserts.AssertionType
		headers map[string]interface{}
		body    string
	}{
		{"serial-request", asserts.SerialRequestType, map[string]interface{}{
			"brand-id": "acme-brand", "model": "my-pi3", "request-id": "REQ-1", "serial": "A1000",
			"device-key": string(devicePub)}, "mac: 00:11:22:33:44:55\n"},
		{"account-key-request", asserts.AccountKeyRequestType, map[string]interface{}{
			"account-id": "acme-brand", "name": "workshop", "public-key-sha3-384": deviceKey.PublicKey().ID(),
			"since": since}, string(devicePub)},
		{"device-session-request", asserts.DeviceSessionRequestType, map[string]interface{}{
			"brand-id": "acme-brand", "model": "my-pi3", "serial": "A1000", "nonce": "NONCE-1",
			"timestamp": ts}, ""},
	} {
		var body []byte
		if s.body != "" {
			body = []byte(s.body)
		}
		a, err := asserts.SignWithoutAuthority(s.typ, s.headers, body, deviceKey)
		if err != nil {
			return fmt.Errorf("signing %s: %v", s.name, err)
		}
		if err := m.write(s.name, a); err != nil {
			return err
		}
	}
	if err := ioutil.WriteFile(filepath.Join(dir, "stream.assert"), m.stream.Bytes(), 0644); err != nil {
		return err
	}
	manifest, err := json.MarshalIndent(m.manifest, "", "  ")
	if err != nil {
		return err
	}
	return ioutil.WriteFile(filepath.Join(dir, "manifest.json"), manifest, 0644)
}

func decodeFile(path string) ([]asserts.Assertion, error) {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := asserts.NewDecoder(bytes.NewReader(data))
	var result []asserts.Assertion
	for {
		a, err := dec.Decode()
		if err != nil {
			if err.Error() == "EOF" {
				return result, nil
			}
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		result = append(result, a)
	}
}

// openTrustedDB is a snapd assertion database that trusts only the roots in a file.
func openTrustedDB(trustedPath string) (*asserts.Database, error) {
	trusted, err := decodeFile(trustedPath)
	if err != nil {
		return nil, err
	}
	return asserts.OpenDatabase(&asserts.DatabaseConfig{
		Backstore: asserts.NewMemoryBackstore(),
		Trusted:   trusted,
	})
}

func verify(trustedPath string, streams []string) error {
	db, err := openTrustedDB(trustedPath)
	if err != nil {
		return err
	}
	var pending []asserts.Assertion
	for _, path := range streams {
		as, err := decodeFile(path)
		if err != nil {
			fmt.Printf("FAIL decode %s\n", err)
			return fmt.Errorf("decoding failed")
		}
		pending = append(pending, as...)
	}
	errs := map[asserts.Assertion]error{}
	for {
		var failed []asserts.Assertion
		for _, a := range pending {
			err := check(db, a)
			if err != nil {
				failed = append(failed, a)
				errs[a] = err
				continue
			}
			fmt.Printf("ok %s\n", describe(a))
		}
		if len(failed) == 0 || len(failed) == len(pending) {
			for _, a := range failed {
				fmt.Printf("FAIL %s: %v\n", describe(a), errs[a])
			}
			if len(failed) > 0 {
				return fmt.Errorf("%d assertion(s) refused by snapd", len(failed))
			}
			return nil
		}
		pending = failed
	}
}

func describe(a asserts.Assertion) string {
	if len(a.Type().PrimaryKey) == 0 {
		return a.Type().Name
	}
	return a.Ref().String()
}

// check adds authority-signed assertions to the database; device-signed ones are checked
// against the device key they carry (serial-request) or their serial's key (device-session-request).
func check(db *asserts.Database, a asserts.Assertion) error {
	switch x := a.(type) {
	case *asserts.SerialRequest:
		return asserts.SignatureCheck(a, x.DeviceKey())
	case *asserts.DeviceSessionRequest:
		serial, err := db.Find(asserts.SerialType, map[string]string{
			"brand-id": x.BrandID(), "model": x.Model(), "serial": x.Serial()})
		if err != nil {
			return err
		}
		return asserts.SignatureCheck(a, serial.(*asserts.Serial).DeviceKey())
	}
	err := db.Add(a)
	if rev, ok := err.(*asserts.RevisionError); ok && rev.Current == rev.Used {
		return nil
	}
	return err
}

// readSnap reads and validates a .snap with snapd's own code, and computes its digest.
func readSnap(path string) (*snap.Info, string, uint64, error) {
	// What cmd/snap does at start-up: interface sanity checks come from the builtin interfaces.
	snap.SanitizePlugsSlots = builtin.SanitizePlugsSlots
	container, err := snapfile.Open(path)
	if err != nil {
		return nil, "", 0, err
	}
	info, err := snap.ReadInfoFromSnapFile(container, nil)
	if err != nil {
		return nil, "", 0, err
	}
	if err := snap.Validate(info); err != nil {
		return nil, "", 0, err
	}
	digest, size, err := asserts.SnapFileSHA3_384(path)
	if err != nil {
		return nil, "", 0, err
	}
	return info, digest, size, nil
}

func snapInfo(path string) error {
	info, digest, size, err := readSnap(path)
	if err != nil {
		return err
	}
	raw, err := base64.RawURLEncoding.DecodeString(digest)
	if err != nil {
		return err
	}
	apps, hooks := []string{}, []string{}
	for name := range info.Apps {
		apps = append(apps, name)
	}
	for name := range info.Hooks {
		hooks = append(hooks, name)
	}
	sort.Strings(apps)
	sort.Strings(hooks)
	out, err := json.MarshalIndent(map[string]interface{}{
		"name":          info.SnapName(),
		"version":       info.Version,
		"type":          string(info.Type()),
		"base":          info.Base,
		"architectures": info.Architectures,
		"epoch":         info.Epoch,
		"confinement":   string(info.Confinement),
		"provenance":    info.Provenance(),
		"apps":          apps,
		"hooks":         hooks,
		"sha3-384":      hex.EncodeToString(raw),
		"snap-sha3-384": digest,
		"size":          size,
	}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

func signSnap(path, revision, out string) error {
	info, digest, size, err := readSnap(path)
	if err != nil {
		return err
	}
	rootKey, _ := assertstest.ReadPrivKey(systestkeys.TestRootPrivKey)
	storeKey, _ := assertstest.ReadPrivKey(systestkeys.TestStorePrivKey)
	db := assertstest.NewSigningDB("testrootorg", rootKey)
	if err := db.ImportKey(storeKey); err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	keyID := storeKey.PublicKey().ID()
	publisher, err := db.Sign(asserts.AccountType, map[string]interface{}{
		"authority-id": "testrootorg", "account-id": "upstreampublisher0000000000000001",
		"username": "upstream-dev", "display-name": "Upstream Dev", "validation": "verified", "timestamp": now,
	}, nil, keyID)
	if err != nil {
		return err
	}
	declaration, err := db.Sign(asserts.SnapDeclarationType, map[string]interface{}{
		"authority-id": "testrootorg", "series": "16", "snap-id": "upstreamsnapid000000000000000001",
		"snap-name": info.SnapName(), "publisher-id": "upstreampublisher0000000000000001", "timestamp": now,
	}, nil, keyID)
	if err != nil {
		return err
	}
	rev, err := db.Sign(asserts.SnapRevisionType, map[string]interface{}{
		"authority-id": "testrootorg", "snap-sha3-384": digest, "snap-id": "upstreamsnapid000000000000000001",
		"snap-size": fmt.Sprintf("%d", size), "snap-revision": revision,
		"developer-id": "upstreampublisher0000000000000001", "timestamp": now,
	}, nil, keyID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := asserts.NewEncoder(&buf)
	for _, a := range []asserts.Assertion{systestkeys.TestStoreAccountKey, publisher, declaration, rev} {
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
	return ioutil.WriteFile(out, buf.Bytes(), 0644)
}
