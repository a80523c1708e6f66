// The gateway's own page: a minimal sylkRTC-2 client (spec §4.2-4.5) driven by index.html.
'use strict';

/** One sylkRTC connection: requests are answered by exactly one ack or error (spec §4.3). */
class SylkRtcConnection {
    constructor(url, onEvent, onLog) {
        this.pending = new Map();
        this.onEvent = onEvent;
        this.onLog = onLog;
        this.ready = new Promise((resolve, reject) => {
            this.socket = new WebSocket(url, 'sylkRTC-2');
            this.socket.onmessage = message => {
                const data = JSON.parse(message.data);
                if (data.sylkrtc === 'ready-event') {
                    resolve();
                } else if ((data.sylkrtc === 'ack' || data.sylkrtc === 'error') && this.pending.has(data.transaction)) {
                    const {ok, fail} = this.pending.get(data.transaction);
                    this.pending.delete(data.transaction);
                    data.sylkrtc === 'ack' ? ok() : fail(new Error(data.error));
                } else {
                    this.onEvent(data);
                }
            };
            this.socket.onclose = close => {
                this.onLog(`connection closed (${close.code}${close.reason ? ' ' + close.reason : ''})`);
                reject(new Error('connection closed'));
            };
        });
    }

    request(type, properties) {
        const transaction = crypto.randomUUID();
        return new Promise((ok, fail) => {
            this.pending.set(transaction, {ok, fail});
            this.socket.send(JSON.stringify({sylkrtc: type, transaction, ...properties}));
        });
    }
}

/**
 * One call of an account (spec §4.5.3-4.5.6) and its RTCPeerConnection. The gateway's media side is ICE-lite: it
 * needs no candidates of ours to connect, but they are trickled (session-trickle) as the spec's clients do, once the
 * server knows the session; an empty list says there are no more.
 *
 * States, as the page shows them: the last session-event state received ('connecting' before any).
 */
class CallSession {
    /**
     * @param connection   a SylkRtcConnection (anything with request(type, properties) returning a promise)
     * @param account      the account's AOR
     * @param id           the session id (ours for an outgoing call, the server's for an incoming one)
     * @param peer         a new RTCPeerConnection for this call
     * @param listener     {onState(state, detail), onRemoteTrack(event), onLog(text)}
     */
    constructor(connection, account, id, peer, listener) {
        this.connection = connection;
        this.account = account;
        this.id = id;
        this.peer = peer;
        this.listener = listener;
        this.state = 'connecting';
        this.candidates = [];
        this.known = false;
        this.applying = Promise.resolve();
        peer.onicecandidate = event => this.candidateFound(event.candidate);
        peer.ontrack = event => listener.onRemoteTrack(event);
    }

    /** Outgoing call (spec §4.5.3): our offer in session-create. */
    async call(uri, stream) {
        stream.getTracks().forEach(track => this.peer.addTrack(track, stream));
        await this.peer.setLocalDescription(await this.peer.createOffer());
        await this.connection.request('session-create', {account: this.account, session: this.id, uri,
            sdp: this.peer.localDescription.sdp});
        this.serverKnowsSession();
    }

    /** Incoming call (spec §4.5.4): the offer of incoming-session answered with session-answer. */
    async answer(offer, stream) {
        await this.peer.setRemoteDescription({type: 'offer', sdp: offer});
        stream.getTracks().forEach(track => this.peer.addTrack(track, stream));
        await this.peer.setLocalDescription(await this.peer.createAnswer());
        await this.connection.request('session-answer', {session: this.id, sdp: this.peer.localDescription.sdp});
        this.serverKnowsSession();
    }

    /** spec §4.5.5: decline an incoming call or hang up any other. */
    async hangUp() {
        await this.connection.request('session-terminate', {session: this.id});
    }

    /** spec §4.5.5: one DTMF digit as SIP INFO. */
    async dtmf(digit) {
        await this.connection.request('session-dtmf-info', {session: this.id, digit});
    }

    /** spec §4.5.6 local update: a new offer (a SIP re-INVITE); the answer comes as an update event. */
    async update() {
        await this.peer.setLocalDescription(await this.peer.createOffer());
        await this.connection.request('session-update', {session: this.id, sdp: this.peer.localDescription.sdp});
    }

    /**
     * A session-event for this session. Events are applied one after the other: established comes right after
     * accepted, and must not overtake it while the answer of accepted is being applied.
     */
    handle(event) {
        const applied = this.applying.then(() => this.apply(event));
        this.applying = applied.catch(() => {});
        return applied;
    }

    async apply(event) {
        if (event.event === 'state') {
            await this.stateChanged(event);
        } else if (event.event === 'update' && event.state === 'received') {
            // spec §4.5.6 remote update: the far end's offer, answered with session-update
            await this.peer.setRemoteDescription({type: 'offer', sdp: event.sdp});
            await this.peer.setLocalDescription(await this.peer.createAnswer());
            await this.connection.request('session-update', {session: this.id, sdp: this.peer.localDescription.sdp});
            this.listener.onLog('re-negotiated by the remote party');
        } else if (event.event === 'update' && event.state === 'accepted') {
            await this.peer.setRemoteDescription({type: 'answer', sdp: event.sdp});
            this.listener.onLog('re-negotiated');
        } else {
            this.listener.onLog(`session event ${event.event}`);
        }
    }

    async stateChanged(event) {
        this.state = event.state;
        // early media and the answer carry the SDP answer to our offer; a later accepted has none
        if ((event.state === 'early-media' || event.state === 'accepted') && event.sdp
                && this.peer.signalingState === 'have-local-offer') {
            await this.peer.setRemoteDescription({type: 'answer', sdp: event.sdp});
        }
        if (event.state === 'terminated') {
            this.peer.close();
        }
        this.listener.onState(event.state, event.reason || (event.code ? String(event.code) : ''));
    }

    candidateFound(candidate) {
        // null ends gathering: an empty list tells the server so (spec §4.5.5)
        this.candidates.push(candidate === null ? null
            : {candidate: candidate.candidate, sdpMLineIndex: candidate.sdpMLineIndex, sdpMid: candidate.sdpMid});
        if (this.known) {
            this.trickle();
        }
    }

    serverKnowsSession() {
        this.known = true;
        this.trickle();
    }

    async trickle() {
        const found = this.candidates.splice(0);
        const end = found.includes(null);
        const candidates = found.filter(candidate => candidate !== null);
        try {
            if (candidates.length > 0) {
                await this.connection.request('session-trickle', {session: this.id, candidates});
            }
            if (end) {
                await this.connection.request('session-trickle', {session: this.id, candidates: []});
            }
        } catch (error) {
            // a call that ended while gathering refuses candidates: nothing to do about it
            this.listener.onLog(`trickle: ${error.message}`);
        }
    }
}

if (typeof module !== 'undefined') {
    module.exports = {CallSession};
}

if (typeof document !== 'undefined') (function page() {
    const $ = id => document.getElementById(id);
    const log = text => {
        const line = `${new Date().toLocaleTimeString()} ${text}\n`;
        $('log').textContent += line;
        $('log').scrollTop = $('log').scrollHeight;
    };
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const base = location.pathname.replace(/[^/]*$/, '');
    let connection = null;
    let account = null;
    /** The one call the page shows (the page is a smoke test: one call at a time). */
    let call = null;
    /** The incoming-session event waiting for Answer or Decline. */
    let ringing = null;
    // for the end-to-end tests and the curious: the current call and its RTCPeerConnection
    window.gatewayPage = {get call() { return call; }};

    function showCall() {
        const active = call !== null;
        $('call').disabled = active || account === null;
        $('hangup').disabled = !active;
        $('update').disabled = !active;
        document.querySelectorAll('#keypad button').forEach(button => { button.disabled = !active; });
        $('incoming').hidden = ringing === null;
    }

    function newCall(id) {
        const peer = new RTCPeerConnection();
        return new CallSession(connection, account, id, peer, {
            onState(state, detail) {
                $('call-state').textContent = state + (detail ? ` (${detail})` : '');
                log(`call: ${state}${detail ? ' ' + detail : ''}`);
                if (state === 'terminated') {
                    call = null;
                    showCall();
                }
            },
            onRemoteTrack(event) {
                $('remote').srcObject = event.streams[0] || new MediaStream([event.track]);
            },
            onLog: log,
        });
    }

    function media() {
        return navigator.mediaDevices.getUserMedia({audio: true, video: $('video').checked});
    }

    function onEvent(event) {
        if (event.sylkrtc === 'account-event' && event.event === 'registration-state') {
            $('state').textContent = event.state + (event.reason ? ` (${event.reason})` : '');
            log(`${event.account}: ${event.state}${event.reason ? ' ' + event.reason : ''}`);
            $('unregister').disabled = event.state !== 'registered';
        } else if (event.sylkrtc === 'account-event' && event.event === 'incoming-session') {
            if (call !== null || ringing !== null) {
                // busy: one call at a time
                connection.request('session-terminate', {session: event.session}).catch(() => {});
                return;
            }
            ringing = event;
            const from = event.originator;
            $('caller').textContent = from.display_name ? `${from.display_name} <${from.uri}>` : from.uri;
            log(`incoming call from ${from.uri}`);
            showCall();
        } else if (event.sylkrtc === 'account-event' && event.event === 'missed-session') {
            log(`missed call from ${event.originator.uri}`);
            ringing = null;
            showCall();
        } else if (event.sylkrtc === 'session-event' && call !== null && event.session === call.id) {
            call.handle(event).catch(error => log(`error: ${error.message}`));
        } else if (event.sylkrtc === 'session-event' && ringing !== null && event.session === ringing.session) {
            if (event.event === 'state' && event.state === 'terminated') {
                ringing = null;
                showCall();
            }
        } else {
            log(`event ${event.sylkrtc}${event.event ? ' ' + event.event : ''}`);
        }
    }

    async function connect() {
        if (connection === null) {
            connection = new SylkRtcConnection(`${scheme}//${location.host}${base}ws`, onEvent, log);
            connection.ready.catch(() => { connection = null; account = null; call = null; showCall(); });
        }
        await connection.ready;
        return connection;
    }

    async function act(what) {
        try {
            await what();
        } catch (error) {
            log(`error: ${error.message}`);
        }
    }

    $('register').addEventListener('click', () => act(async () => {
        const aor = $('account').value.trim().replace(/^sips?:/, '');
        const at = aor.indexOf('@');
        if (at < 1) {
            log('enter a SIP address such as alice@example.com');
            return;
        }
        const sylk = await connect();
        if (account !== null && account !== aor) {
            await sylk.request('account-remove', {account});
            account = null;
        }
        if (account === null) {
            // the password goes to the server as the digest HA1: MD5(user:domain:password)
            const ha1 = md5Hex(`${aor.slice(0, at)}:${aor.slice(at + 1)}:${$('password').value}`);
            await sylk.request('account-add', {account: aor, password: ha1, user_agent: 'SylkServer gateway page'});
            account = aor;
            showCall();
        }
        await sylk.request('account-register', {account});
        log(`registering ${account}`);
    }));

    $('unregister').addEventListener('click', () => act(async () => {
        await (await connect()).request('account-unregister', {account});
        $('state').textContent = 'not registered';
        $('unregister').disabled = true;
        log(`${account}: unregistered`);
    }));

    $('call').addEventListener('click', () => act(async () => {
        const uri = $('target').value.trim().replace(/^sips?:/, '');
        if (!uri) {
            log('enter the SIP address to call');
            return;
        }
        const stream = await media();
        call = newCall(crypto.randomUUID());
        showCall();
        try {
            await call.call(uri, stream);
        } catch (error) {
            call.peer.close();
            call = null;
            showCall();
            throw error;
        }
    }));

    $('answer').addEventListener('click', () => act(async () => {
        const offer = ringing;
        ringing = null;
        const stream = await media();
        call = newCall(offer.session);
        showCall();
        await call.answer(offer.sdp, stream);
    }));

    $('decline').addEventListener('click', () => act(async () => {
        const offer = ringing;
        ringing = null;
        showCall();
        await connection.request('session-terminate', {session: offer.session});
    }));

    $('hangup').addEventListener('click', () => act(() => call.hangUp()));
    $('update').addEventListener('click', () => act(() => call.update()));
    document.querySelectorAll('#keypad button').forEach(button => {
        button.addEventListener('click', () => act(() => call.dtmf(button.textContent)));
    });
    showCall();
})();
