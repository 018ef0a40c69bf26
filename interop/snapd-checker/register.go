package main

// register-device registers a device with a running snapdepot the way snapd's devicestate does
// it (overlord/devicestate/handlers_serial.go): request-id, a serial-request signed with a new
// device key by snapd's asserts package, posted with the model as an assertion stream; it checks
// the returned serial against the model in a snapd database rooted at the store's root, then
// opens a device session and refreshes through snapd's store package. It also sends the bad
// requests a vault must refuse. One line per check, as store-scenarios prints them.

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/snapcore/snapd/asserts"
	"github.com/snapcore/snapd/asserts/assertstest"
	"github.com/snapcore/snapd/overlord/auth"
	"github.com/snapcore/snapd/snap"
	"github.com/snapcore/snapd/store"
)

type registerSpec struct {
	URL      string `json:"url"`
	Trusted  string `json:"trusted"`
	Model    string `json:"model"`
	BrandKey string `json:"brand-key"`
	KeyBits  int    `json:"key-bits"`
	SnapID   string `json:"snap-id"`
	SnapName string `json:"snap-name"`
}

type vaultAnswer struct {
	status  int
	message string
	body    []byte
}

func postVault(base, path string, body []byte) (vaultAnswer, error) {
	req, err := http.NewRequest("POST", base+"api/v1/snaps/auth/"+path, bytes.NewReader(body))
	if err != nil {
		return vaultAnswer{}, err
	}
	req.Header.Set("User-Agent", "snapd/2.57.6 (snapdepot-checker)")
	if body != nil {
		req.Header.Set("Snap-Device-Capabilities", "serial-stream")
		req.Header.Set("Content-Type", asserts.MediaType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return vaultAnswer{}, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	answer := vaultAnswer{status: resp.StatusCode, body: data}
	// snapd reads the reason only from exactly application/json (retryBadStatus).
	if resp.Header.Get("Content-Type") == "application/json" {
		var srvErr struct {
			Message string `json:"message"`
			Errors  []struct {
				Message string `json:"message"`
			} `json:"error_list"`
		}
		if json.Unmarshal(data, &srvErr) == nil {
			answer.message = srvErr.Message
			if answer.message == "" && len(srvErr.Errors) > 0 {
				answer.message = srvErr.Errors[0].Message
			}
		}
	}
	return answer, nil
}

func requestID(base string) (string, error) {
	answer, err := postVault(base, "request-id", nil)
	if err != nil {
		return "", err
	}
	var resp struct {
		RequestID string `json:"request-id"`
	}
	if answer.status != 200 || json.Unmarshal(answer.body, &resp) != nil || resp.RequestID == "" {
		return "", fmt.Errorf("request-id: %d %s", answer.status, answer.body)
	}
	return resp.RequestID, nil
}

func serialRequest(model *asserts.Model, id string, key asserts.PrivateKey) ([]byte, error) {
	pub, err := asserts.EncodePublicKey(key.PublicKey())
	if err != nil {
		return nil, err
	}
	req, err := asserts.SignWithoutAuthority(asserts.SerialRequestType, map[string]interface{}{
		"brand-id": model.BrandID(), "model": model.Model(), "request-id": id, "device-key": string(pub),
	}, []byte("factory: snapdepot checker\n"), key)
	if err != nil {
		return nil, err
	}
	buf := new(bytes.Buffer)
	encoder := asserts.NewEncoder(buf)
	if err := encoder.Encode(req); err != nil {
		return nil, err
	}
	if err := encoder.Encode(model); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// submit posts a serial-request until the vault stops answering 202, as snapd polls.
func submit(base string, body []byte) (vaultAnswer, int, error) {
	polls := 0
	for {
		answer, err := postVault(base, "devices", body)
		if err != nil || answer.status != 202 || polls > 30 {
			return answer, polls, err
		}
		polls++
		time.Sleep(500 * time.Millisecond)
	}
}

func runRegister(specPath string) error {
	var spec registerSpec
	if err := readSpec(specPath, &spec); err != nil {
		return err
	}
	base := strings.TrimSuffix(spec.URL, "/") + "/"
	decoded, err := asserts.Decode([]byte(spec.Model))
	if err != nil {
		return err
	}
	model := decoded.(*asserts.Model)
	c := &checks{}

	// devicestate generates an RSA key (ssh-keygen -t rsa -b 4096) and wraps it so.
	rsaKey, err := rsa.GenerateKey(rand.Reader, spec.KeyBits)
	if err != nil {
		return err
	}
	deviceKey := asserts.RSAPrivateKey(rsaKey)
	id, err := requestID(base)
	if err != nil {
		return err
	}
	body, err := serialRequest(model, id, deviceKey)
	if err != nil {
		return err
	}
	answer, polls, err := submit(base, body)
	if err != nil {
		return err
	}
	c.expect(answer.status == 200 || answer.status == 201, fmt.Sprintf("the vault issues a serial (after %d polls on 202)", polls), fmt.Sprint(answer.status, " ", answer.message))
	if c.failed > 0 {
		return fmt.Errorf("no serial: %d %s", answer.status, answer.message)
	}
	var serial *asserts.Serial
	batch := asserts.NewBatch(nil)
	dec := asserts.NewDecoder(bytes.NewReader(answer.body))
	for {
		got, err := dec.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if got.Type() == asserts.SerialType {
			c.expect(serial == nil, "exactly one serial in the stream", nil)
			serial = got.(*asserts.Serial)
		} else if err := batch.Add(got); err != nil {
			return err
		}
	}
	c.expect(serial != nil && serial.BrandID() == model.BrandID() && serial.Model() == model.Model() && serial.DeviceKey().ID() == deviceKey.PublicKey().ID(),
		"the serial is for this brand, model and device key", serial)
	if serial == nil {
		return fmt.Errorf("no serial in the answer")
	}
	db, err := openTrustedDB(spec.Trusted)
	if err != nil {
		return err
	}
	if err := batch.Add(model); err != nil {
		return err
	}
	err = batch.CommitTo(db, nil)
	c.expect(err == nil, "the chain that came with it and the model verify against the store's root", err)
	err = db.Add(serial)
	c.expect(err == nil, "the serial verifies in snapd's assertion database", err)
	fmt.Printf("serial: %s\n", serial.Serial())

	// The serial opens a device session through snapd's store package; a refresh carries it.
	device := &deviceContext{
		device: &auth.DeviceState{Brand: model.BrandID(), Model: model.Model(), Serial: serial.Serial(), KeyID: deviceKey.PublicKey().ID()},
		key:    deviceKey, serial: serial, model: model,
	}
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	sto := newStore(u, device, model.Store())
	zero := snap.Epoch{Read: []uint32{0}, Write: []uint32{0}}
	rev, err := refreshTo(sto, &store.CurrentSnap{InstanceName: spec.SnapName, SnapID: spec.SnapID, Revision: snap.R(1), TrackingChannel: "candidate", Epoch: zero, RefreshedDate: time.Now()},
		&store.SnapAction{Action: "refresh", InstanceName: spec.SnapName, SnapID: spec.SnapID})
	c.expect(device.device.SessionMacaroon != "", "the device opened a session (nonce + device-session-request)", device.device.SessionMacaroon)
	c.expect(err == nil && rev == 2, "a refresh carrying the session gets candidate's revision 2", fmt.Sprint(rev, err))

	// What a vault must refuse.
	refused := func(what string, body []byte, want string) {
		answer, _, err := submit(base, body)
		c.expect(err == nil && answer.status >= 400 && answer.status < 500 && strings.Contains(answer.message, want),
			what+" is refused", fmt.Sprintf("%d %q", answer.status, answer.message))
		if err == nil {
			fmt.Printf("     reason: %s\n", answer.message)
		}
	}
	refused("a replayed request-id", body, "already used")

	reuse, _ := requestID(base)
	again, _ := serialRequest(model, reuse, deviceKey)
	refused("a second serial for a registered device key", again, "already registered")

	otherKey, _ := assertstest.GenerateKey(1024)
	fresh, _ := requestID(base)
	good, _ := serialRequest(model, fresh, otherKey)
	// Swapped for another request-id the store did issue, so the signature is all that is wrong
	// (a store checks the request-id before it spends a signature check).
	other, _ := requestID(base)
	tampered := bytes.Replace(good, []byte("request-id: "+fresh), []byte("request-id: "+other), 1)
	refused("a tampered serial-request", tampered, "does not verify")
	last := "X"
	if strings.HasSuffix(fresh, last) {
		last = "Y"
	}
	forged := bytes.Replace(good, []byte("request-id: "+fresh), []byte("request-id: "+fresh[:len(fresh)-1]+last), 1)
	refused("a serial-request with a request-id the store never issued", forged, "unknown request-id")

	brandDB, err := brandSigningDB(spec.BrandKey, model.BrandID())
	if err != nil {
		return err
	}
	headers := model.Headers()
	delete(headers, "sign-key-sha3-384")
	headers["model"] = "unknown-model"
	headers["timestamp"] = time.Now().UTC().Format(time.RFC3339)
	unknown, err := brandDB.Sign(asserts.ModelType, headers, nil, "")
	if err != nil {
		return err
	}
	unknownID, _ := requestID(base)
	unknownBody, _ := serialRequest(unknown.(*asserts.Model), unknownID, otherKey)
	refused("a request for a model the store does not hold", unknownBody, "unknown model")

	rogueKey, _ := assertstest.GenerateKey(1024)
	rogueDB := assertstest.NewSigningDB(model.BrandID(), rogueKey)
	headers["model"] = model.Model()
	rogue, err := rogueDB.Sign(asserts.ModelType, headers, nil, "")
	if err != nil {
		return err
	}
	rogueID, _ := requestID(base)
	rogueBody, _ := serialRequest(rogue.(*asserts.Model), rogueID, otherKey)
	refused("a model signed by an unregistered key", rogueBody, "does not verify")

	fmt.Printf("%d passed, %d failed\n", c.passed, c.failed)
	if c.failed > 0 {
		return fmt.Errorf("%d registration check(s) failed", c.failed)
	}
	return nil
}
