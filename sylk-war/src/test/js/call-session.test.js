// The page's CallSession against the sylkRTC call requests and events of spec §4.5.3-4.5.6, with a recording
// connection and a scripted RTCPeerConnection in place of the browser's.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const {CallSession} = require(path.join(__dirname, '..', '..', 'main', 'webapp', 'gateway-page.js'));
const {RecordingConnection, ScriptedPeer} = require('./scripted.js');

const stream = {getTracks: () => ['microphone']};
const candidate = (text) => ({candidate: text, sdpMLineIndex: 0, sdpMid: '0'});

function session(connection, id = 's1') {
    const seen = {states: [], logs: []};
    const peer = new ScriptedPeer();
    const call = new CallSession(connection, 'alice@example.com', id, peer, {
        onState: state => seen.states.push(state),
        onRemoteTrack: () => {},
        onLog: text => seen.logs.push(text),
    });
    return {call, peer, seen};
}

test('spec 4.5.3: session-create carries our offer; the answer of accepted is applied; terminated closes', async () => {
    const connection = new RecordingConnection();
    const {call, peer, seen} = session(connection);
    await call.call('bob@example.org', stream);
    assert.deepStrictEqual(connection.sent[0], {sylkrtc: 'session-create', account: 'alice@example.com',
        session: 's1', uri: 'bob@example.org', sdp: 'offer 1'});
    assert.deepStrictEqual(peer.tracks, ['microphone']);
    await call.handle({event: 'state', state: 'ringing'});
    await call.handle({event: 'state', state: 'accepted', sdp: 'their answer'});
    await call.handle({event: 'state', state: 'established'});
    assert.deepStrictEqual(peer.remote, [{type: 'answer', sdp: 'their answer'}]);
    await call.handle({event: 'state', state: 'terminated', reason: '200 OK'});
    assert.ok(peer.closed);
    assert.deepStrictEqual(seen.states, ['ringing', 'accepted', 'established', 'terminated']);
});

test('spec 4.5.3: accepted after early media carries no SDP and changes nothing', async () => {
    const {call, peer} = session(new RecordingConnection());
    await call.call('bob@example.org', stream);
    await call.handle({event: 'state', state: 'early-media', sdp: 'early answer'});
    await call.handle({event: 'state', state: 'accepted'});
    assert.deepStrictEqual(peer.remote, [{type: 'answer', sdp: 'early answer'}]);
});

test('spec 4.5.5: candidates trickle once the server knows the session, then an empty list ends them', async () => {
    const connection = new RecordingConnection(false);
    const {call, peer} = session(connection);
    const placing = call.call('bob@example.org', stream);
    await new Promise(setImmediate);
    peer.onicecandidate({candidate: candidate('candidate:1 1 udp 1 127.0.0.1 5000 typ host')});
    assert.deepStrictEqual(connection.sent.map(r => r.sylkrtc), ['session-create'], 'nothing before the ack');
    connection.ackAll();
    await placing;
    peer.onicecandidate({candidate: candidate('candidate:2 1 udp 1 127.0.0.1 5002 typ host')});
    peer.onicecandidate({candidate: null});
    connection.ackAll();
    await new Promise(setImmediate);
    connection.ackAll();
    await new Promise(setImmediate);
    assert.deepStrictEqual(connection.sent.slice(1), [
        {sylkrtc: 'session-trickle', session: 's1', candidates: [candidate('candidate:1 1 udp 1 127.0.0.1 5000 typ host')]},
        {sylkrtc: 'session-trickle', session: 's1', candidates: [candidate('candidate:2 1 udp 1 127.0.0.1 5002 typ host')]},
        {sylkrtc: 'session-trickle', session: 's1', candidates: []},
    ]);
});

test('spec 4.5.4: an incoming offer is answered with session-answer', async () => {
    const connection = new RecordingConnection();
    const {call, peer} = session(connection, '3f1d5a2b-9c0e-4f8a-b6d7-1e2f3a4b5c6d');
    await call.answer('their offer', stream);
    assert.deepStrictEqual(peer.remote, [{type: 'offer', sdp: 'their offer'}]);
    assert.deepStrictEqual(connection.sent, [{sylkrtc: 'session-answer',
        session: '3f1d5a2b-9c0e-4f8a-b6d7-1e2f3a4b5c6d', sdp: 'our answer'}]);
});

test('spec 4.5.5 and 4.5.6: DTMF, hang-up and a local update are the requests the spec names', async () => {
    const connection = new RecordingConnection();
    const {call, peer} = session(connection);
    await call.call('bob@example.org', stream);
    await call.handle({event: 'state', state: 'accepted', sdp: 'their answer'});
    await call.dtmf('5');
    await call.update();
    await call.handle({event: 'update', state: 'accepted', sdp: 'their second answer'});
    await call.hangUp();
    assert.deepStrictEqual(connection.sent.slice(1), [
        {sylkrtc: 'session-dtmf-info', session: 's1', digit: '5'},
        {sylkrtc: 'session-update', session: 's1', sdp: 'offer 2'},
        {sylkrtc: 'session-terminate', session: 's1'},
    ]);
    assert.deepStrictEqual(peer.remote.at(-1), {type: 'answer', sdp: 'their second answer'});
});

test('spec 4.5.6: a remote update (state received) is answered with session-update', async () => {
    const connection = new RecordingConnection();
    const {call, peer} = session(connection);
    await call.call('bob@example.org', stream);
    await call.handle({event: 'state', state: 'accepted', sdp: 'their answer'});
    await call.handle({event: 'update', state: 'received', sdp: 'their new offer'});
    assert.deepStrictEqual(peer.remote.at(-1), {type: 'offer', sdp: 'their new offer'});
    assert.deepStrictEqual(connection.sent.at(-1), {sylkrtc: 'session-update', session: 's1', sdp: 'our answer'});
});

test('spec 4.5.3: established arriving while the answer of accepted is applied does not overtake it', async () => {
    const {call, peer, seen} = session(new RecordingConnection());
    await call.call('bob@example.org', stream);
    let applyAnswer;
    peer.setRemoteDescription = description => new Promise(done => {
        applyAnswer = () => { peer.remote.push(description); done(); };
    });
    const accepted = call.handle({event: 'state', state: 'accepted', sdp: 'their answer'});
    const established = call.handle({event: 'state', state: 'established'});
    await new Promise(setImmediate);
    assert.deepStrictEqual(seen.states, [], 'nothing shown before the answer is applied');
    applyAnswer();
    await Promise.all([accepted, established]);
    assert.deepStrictEqual(seen.states, ['accepted', 'established']);
});
