// The page's RoomSession against the sylkRTC video room requests and events of spec §4.6 and the room file sharing
// of §4.10.5, with a recording connection and scripted RTCPeerConnections in place of the browser's.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const {RoomSession} = require(path.join(__dirname, '..', '..', 'main', 'webapp', 'gateway-page.js'));
const {RecordingConnection, ScriptedPeer} = require('./scripted.js');

const ROOM = 'room1@videoconference.example.com';
const camera = {getTracks: () => ['microphone', 'camera'], getAudioTracks: () => ['microphone'],
    getVideoTracks: () => ['camera']};
const bob = {id: 'b-1', uri: 'bob@example.com', display_name: 'Bob'};
const carol = {id: 'c-1', uri: 'carol@example.com', display_name: ''};

/** A room session whose peers (the publisher's first, then one per feed) and listener calls are kept. */
function roomSession(connection, fetch) {
    const peers = [];
    const seen = {states: [], joined: [], left: [], messages: [], deliveries: [], files: [], logs: []};
    const room = new RoomSession(connection, 'alice@example.com', ROOM, 'a-1', {
        newPeer: () => { const peer = new ScriptedPeer(); peers.push(peer); return peer; },
        fetch, base: '/webrtcgateway/',
    }, {
        onState: state => seen.states.push(state),
        onParticipantJoined: participant => seen.joined.push(participant.displayName || participant.uri),
        onParticipantMedia: () => {},
        onParticipantLeft: participant => seen.left.push(participant.id),
        onMessage: event => seen.messages.push(event.content),
        onDelivery: event => seen.deliveries.push(event.message_id),
        onFiles: files => seen.files.push(...files.map(file => file.filename)),
        onLog: text => seen.logs.push(text),
    });
    return {room, peers, seen};
}

/** The feed id the session chose when it attached {@code publisher}. */
const feedOf = (connection, publisher) => connection.sent.find(request =>
    request.sylkrtc === 'videoroom-feed-attach' && request.publisher === publisher).feed;

test('spec 4.6.2: videoroom-join carries a send-only offer; accepted applies the answer; established follows', async () => {
    const connection = new RecordingConnection();
    const {room, peers, seen} = roomSession(connection);
    await room.join(camera);
    assert.deepStrictEqual(connection.sent, [{sylkrtc: 'videoroom-join', account: 'alice@example.com', uri: ROOM,
        session: 'a-1', sdp: 'offer 1', audio: true, video: true}]);
    assert.deepStrictEqual(peers[0].transceivers.map(init => init.direction), ['sendonly', 'sendonly']);
    await room.handle({event: 'session-state', state: 'progress'});
    await room.handle({event: 'session-state', state: 'accepted', sdp: 'the answer'});
    await room.handle({event: 'session-state', state: 'established'});
    assert.deepStrictEqual(peers[0].remote, [{type: 'answer', sdp: 'the answer'}]);
    assert.deepStrictEqual(seen.states, ['progress', 'accepted', 'established']);
});

test('spec 4.6.4: each publisher gets a receive-only feed: attach, the offer answered, established', async () => {
    const connection = new RecordingConnection();
    const {room, peers, seen} = roomSession(connection);
    await room.join(camera);
    await room.handle({event: 'initial-publishers', publishers: [bob]});
    await room.handle({event: 'publishers-joined', publishers: [carol]});
    assert.deepStrictEqual(seen.joined, ['Bob', 'carol@example.com'], 'a participant without a name shows its URI');
    const bobFeed = feedOf(connection, 'b-1');
    const carolFeed = feedOf(connection, 'c-1');
    assert.notStrictEqual(bobFeed, carolFeed);
    assert.deepStrictEqual(connection.sent.slice(1, 3), [
        {sylkrtc: 'videoroom-feed-attach', session: 'a-1', publisher: 'b-1', feed: bobFeed},
        {sylkrtc: 'videoroom-feed-attach', session: 'a-1', publisher: 'c-1', feed: carolFeed},
    ]);
    await room.handle({event: 'feed-attached', feed: carolFeed, sdp: 'carol offered'});
    assert.deepStrictEqual(peers[2].remote, [{type: 'offer', sdp: 'carol offered'}], 'the feed on its own peer');
    assert.deepStrictEqual(connection.sent.at(-1), {sylkrtc: 'videoroom-feed-answer', session: 'a-1',
        feed: carolFeed, sdp: 'our answer'});
    await room.handle({event: 'feed-established', feed: carolFeed});
    assert.strictEqual(room.participants.get('c-1').state, 'established');
    assert.strictEqual(room.participants.get('b-1').state, 'attaching');
    await room.handle({event: 'publishers-joined', publishers: [bob]});
    assert.strictEqual(connection.sent.filter(r => r.sylkrtc === 'videoroom-feed-attach').length, 2, 'attached once');
});

test('spec 4.6.3: a publisher that left loses its feed (detached, peer closed) and its tile', async () => {
    const connection = new RecordingConnection();
    const {room, peers, seen} = roomSession(connection);
    await room.join(camera);
    await room.handle({event: 'initial-publishers', publishers: [bob, carol]});
    const carolFeed = feedOf(connection, 'c-1');
    await room.handle({event: 'publishers-left', publishers: ['c-1']});
    assert.deepStrictEqual(connection.sent.at(-1), {sylkrtc: 'videoroom-feed-detach', session: 'a-1', feed: carolFeed});
    assert.ok(peers[2].closed);
    assert.ok(!peers[1].closed);
    assert.deepStrictEqual(seen.left, ['c-1']);
    assert.deepStrictEqual([...room.participants.keys()], ['b-1']);
    await room.handle({event: 'publishers-left', publishers: ['c-1']});
    assert.strictEqual(connection.sent.filter(r => r.sylkrtc === 'videoroom-feed-detach').length, 1, 'once');
});

test('spec 4.6.5: leave sends videoroom-leave; terminated closes the publisher and every feed', async () => {
    const connection = new RecordingConnection();
    const {room, peers, seen} = roomSession(connection);
    await room.join(camera);
    await room.handle({event: 'initial-publishers', publishers: [bob, carol]});
    await room.leave();
    assert.deepStrictEqual(connection.sent.at(-1), {sylkrtc: 'videoroom-leave', session: 'a-1'});
    await room.handle({event: 'session-state', state: 'terminated'});
    assert.ok(peers.every(peer => peer.closed));
    assert.deepStrictEqual(seen.left, ['b-1', 'c-1']);
    assert.deepStrictEqual(seen.states, ['terminated']);
    await room.handle({event: 'publishers-joined', publishers: [{id: 'd-1', uri: 'dave@example.com'}]});
    assert.strictEqual(peers.length, 3, 'no feed attached after the end');
});

test('spec 4.6.4: a refused attach is an error naming the participant; the other feeds and the next events still apply', async () => {
    const connection = new RecordingConnection();
    const request = connection.request.bind(connection);
    connection.request = (type, properties) => {
        if (type === 'videoroom-feed-attach' && properties.publisher === 'b-1') {
            connection.sent.push({sylkrtc: type, ...properties});
            return Promise.reject(new Error('Unknown publisher'));
        }
        return request(type, properties);
    };
    const {room, peers, seen} = roomSession(connection);
    await room.join(camera);
    await room.handle({event: 'initial-publishers', publishers: [bob, carol]});
    assert.ok(seen.logs.includes('error: the feed of Bob: Unknown publisher'), seen.logs.join('\n'));
    assert.ok(peers[1].closed);
    assert.deepStrictEqual(seen.left, ['b-1']);
    assert.ok(connection.sent.some(r => r.sylkrtc === 'videoroom-feed-attach' && r.publisher === 'c-1'),
        'carol is attached after bob was refused');
    assert.strictEqual(peers.length, 3);
    assert.ok(!peers[2].closed);
    await room.handle({event: 'session-state', state: 'established'});
    assert.deepStrictEqual(seen.states, ['established']);
});

test('spec 4.6.4: a feed\'s candidates trickle with videoroom-session-trickle, session = the feed, after its answer', async () => {
    const connection = new RecordingConnection();
    const {room, peers} = roomSession(connection);
    await room.join(camera);
    await room.handle({event: 'initial-publishers', publishers: [bob]});
    const feed = feedOf(connection, 'b-1');
    const found = {candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMLineIndex: 0, sdpMid: '0'};
    peers[1].onicecandidate({candidate: found});
    assert.ok(!connection.sent.some(r => r.sylkrtc === 'videoroom-session-trickle' && r.session === feed),
        'nothing before the server knows the feed\'s answer');
    await room.handle({event: 'feed-attached', feed, sdp: 'bob offered'});
    peers[1].onicecandidate({candidate: null});
    await new Promise(setImmediate);
    assert.deepStrictEqual(connection.sent.filter(r => r.sylkrtc === 'videoroom-session-trickle' && r.session === feed),
        [{sylkrtc: 'videoroom-session-trickle', session: feed, candidates: [found]},
            {sylkrtc: 'videoroom-session-trickle', session: feed, candidates: []}]);
});

test('spec 4.6.8: chat messages go as videoroom-message; messages, deliveries and shared files reach the page', async () => {
    const connection = new RecordingConnection();
    const {room, seen} = roomSession(connection);
    await room.join(camera);
    const id = await room.sendMessage('hi all');
    assert.deepStrictEqual(connection.sent.at(-1), {sylkrtc: 'videoroom-message', session: 'a-1', message_id: id,
        content: 'hi all', content_type: 'text/plain'});
    await room.handle({event: 'message-delivery', message_id: id, delivered: true, code: 200, reason: 'OK'});
    await room.handle({event: 'message', type: 'normal', content: 'hello', content_type: 'text/plain',
        sender: {uri: 'bob@example.com', display_name: 'Bob'}});
    await room.handle({event: 'file-sharing', files: [{filename: 'slides.pdf', filesize: 3,
        uploader: {uri: 'bob@example.com', display_name: 'Bob'}, session: 'b-1'}]});
    await room.handle({event: 'conference-audio-levels', levels: []});
    assert.deepStrictEqual(seen.deliveries, [id]);
    assert.deepStrictEqual(seen.messages, ['hello']);
    assert.deepStrictEqual(seen.files, ['slides.pdf']);
    assert.deepStrictEqual(seen.logs, [], 'audio levels are not logged');
});

test('spec 4.10.5: a file is POSTed to filesharing/<room>/<session>/<name>; a refusal is an error with its reason', async () => {
    const posted = [];
    let answer = {ok: true, status: 200, text: async () => 'OK'};
    const fetch = async (url, init) => { posted.push({url, method: init.method, body: init.body}); return answer; };
    const {room} = roomSession(new RecordingConnection(), fetch);
    await room.join(camera);
    const file = {name: 'q3 report#1.pdf', type: 'application/pdf'};
    await room.share(file);
    assert.deepStrictEqual(posted, [{url: '/webrtcgateway/filesharing/room1%40videoconference.example.com/a-1/'
        + 'q3%20report%231.pdf', method: 'POST', body: file}]);
    assert.strictEqual(room.fileUrl('b-1', 'slides.pdf'),
        '/webrtcgateway/filesharing/room1%40videoconference.example.com/b-1/slides.pdf');
    answer = {ok: false, status: 413, text: async () => 'File too large\r\n'};
    await assert.rejects(room.share(file), {message: 'q3 report#1.pdf not shared: 413 File too large'});
});
