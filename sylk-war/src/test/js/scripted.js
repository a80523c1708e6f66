// What the page's sessions need of a sylkRTC connection and of RTCPeerConnection, scripted for the Node tests.
'use strict';

/**
 * Records every request; each is acked when the test says so (or at once), unless its type is refused: then it fails
 * with the error text given for it.
 */
class RecordingConnection {
    constructor(ackAtOnce = true) {
        this.sent = [];
        this.waiting = [];
        this.ackAtOnce = ackAtOnce;
        this.refused = {};
    }

    request(type, properties) {
        this.sent.push({sylkrtc: type, ...properties});
        if (type in this.refused) {
            return Promise.reject(new Error(this.refused[type]));
        }
        if (this.ackAtOnce) {
            return Promise.resolve();
        }
        return new Promise(ok => this.waiting.push(ok));
    }

    ackAll() {
        this.waiting.splice(0).forEach(ok => ok());
    }
}

/** What a page needs of RTCPeerConnection, recording the descriptions it is given. */
class ScriptedPeer {
    constructor() {
        this.signalingState = 'stable';
        this.remote = [];
        this.tracks = [];
        this.transceivers = [];
        this.closed = false;
        this.offers = 0;
    }

    async createOffer() {
        this.offers++;
        return {type: 'offer', sdp: `offer ${this.offers}`};
    }

    async createAnswer() {
        return {type: 'answer', sdp: 'our answer'};
    }

    async setLocalDescription(description) {
        this.localDescription = description;
        this.signalingState = description.type === 'offer' ? 'have-local-offer' : 'stable';
    }

    async setRemoteDescription(description) {
        this.remote.push(description);
        this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
    }

    addTrack(track) {
        this.tracks.push(track);
    }

    addTransceiver(track, init) {
        this.tracks.push(track);
        this.transceivers.push(init);
    }

    close() {
        this.closed = true;
    }
}

module.exports = {RecordingConnection, ScriptedPeer};
