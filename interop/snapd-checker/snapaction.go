package main

// snap-action-request has snapd's own store.SnapAction send an auto-refresh request for an
// installed set, as a registered device, to a store URL (the Swift test's recording proxy in
// front of snapdepot), so the test can compare it field by field with the agent's request.

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/ioutil"
	"net/url"
	"time"

	"github.com/snapcore/snapd/asserts"
	"github.com/snapcore/snapd/overlord/auth"
	"github.com/snapcore/snapd/release"
	"github.com/snapcore/snapd/snap"
	"github.com/snapcore/snapd/snapdenv"
	"github.com/snapcore/snapd/store"
)

type snapActionSpec struct {
	URL       string `json:"url"`
	DeviceKey string `json:"device-key"`
	Serial    string `json:"serial"`
	Model     string `json:"model"`
	Snaps     []struct {
		Name          string     `json:"name"`
		SnapID        string     `json:"snap-id"`
		Revision      int        `json:"revision"`
		Channel       string     `json:"channel"`
		Epoch         snap.Epoch `json:"epoch"`
		RefreshedDate time.Time  `json:"refreshed-date"`
	} `json:"snaps"`
}

// firstOfType decodes an assertion file and returns its first assertion of that type.
func firstOfType(path string, t *asserts.AssertionType) (asserts.Assertion, error) {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := asserts.NewDecoder(bytes.NewReader(data))
	for {
		a, err := dec.Decode()
		if err != nil {
			return nil, fmt.Errorf("%s holds no %s: %v", path, t.Name, err)
		}
		if a.Type() == t {
			return a, nil
		}
	}
}

func snapActionRequest(specPath string) error {
	// As snapd 2.57.6 on an Ubuntu Core 16 device, not on the classic machine running the check.
	defer release.MockOnClassic(false)()
	defer release.MockReleaseInfo(&release.OS{ID: "ubuntu-core", VersionID: "16"})()
	defer snapdenv.SetUserAgentFromVersion("2.57.6", nil)()
	var spec snapActionSpec
	if err := readSpec(specPath, &spec); err != nil {
		return err
	}
	pemData, err := ioutil.ReadFile(spec.DeviceKey)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(pemData)
	if block == nil {
		return fmt.Errorf("%s is not PEM", spec.DeviceKey)
	}
	var rsaKey *rsa.PrivateKey
	if parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		rsaKey, _ = parsed.(*rsa.PrivateKey)
	} else if rsaKey, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
		return fmt.Errorf("device key: %v", err)
	}
	if rsaKey == nil {
		return fmt.Errorf("device key is not RSA")
	}
	serialAssertion, err := firstOfType(spec.Serial, asserts.SerialType)
	if err != nil {
		return err
	}
	modelAssertion, err := firstOfType(spec.Model, asserts.ModelType)
	if err != nil {
		return err
	}
	serial := serialAssertion.(*asserts.Serial)
	model := modelAssertion.(*asserts.Model)
	ctx := &deviceContext{
		device: &auth.DeviceState{Brand: serial.BrandID(), Model: serial.Model(), Serial: serial.Serial()},
		key:    asserts.RSAPrivateKey(rsaKey), serial: serial, model: model, storeID: model.Store(),
	}
	base, err := url.Parse(spec.URL)
	if err != nil {
		return err
	}
	sto := newStore(base, ctx, model.Store())
	var current []*store.CurrentSnap
	var actions []*store.SnapAction
	for _, s := range spec.Snaps {
		current = append(current, &store.CurrentSnap{
			InstanceName: s.Name, SnapID: s.SnapID, Revision: snap.R(s.Revision), TrackingChannel: s.Channel,
			Epoch: s.Epoch, RefreshedDate: s.RefreshedDate,
		})
		actions = append(actions, &store.SnapAction{Action: "refresh", InstanceName: s.Name, SnapID: s.SnapID})
	}
	results, _, err := sto.SnapAction(context.Background(), current, actions, nil, nil, &store.RefreshOptions{IsAutoRefresh: true})
	if err != nil {
		if _, ok := err.(*store.SnapActionError); !ok {
			return err
		}
	}
	fmt.Printf("ok   snapd's SnapAction sent its request: %d results\n", len(results))
	return nil
}
