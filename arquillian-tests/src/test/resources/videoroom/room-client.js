// A minimal sylkRTC video room client for VideoRoomIT, evaluated in a page of the gateway: it speaks the requests
// and events of spec §4.6 over the gateway's WebSocket the way sylkrtc.js does (a send-only publisher connection,
// one receive-only connection per feed, attached to every publisher it learns of) and keeps what happened for the
// test to read (feeds[publisher].pc is the feed's connection, for DecodedFeed). Remote media are played in <video>
// elements, so that Chrome decodes them.
window.roomClient = (() => {
    const client = {events: [], feeds: {}, errors: [], audioLevels: []};
    const byFeed = {};
    const pending = new Map();

    function request(type, properties) {
        return new Promise((resolve, reject) => {
            const transaction = crypto.randomUUID();
            pending.set(transaction, {resolve, reject});
            client.ws.send(JSON.stringify({sylkrtc: type, transaction, ...properties}));
        });
    }

    function record(error) {
        client.errors.push(String(error));
    }

    async function attach(publisher) {
        if (client.feeds[publisher]) {
            return;
        }
        const feed = {id: crypto.randomUUID(), publisher, pc: new RTCPeerConnection(), established: false};
        client.feeds[publisher] = feed;
        byFeed[feed.id] = feed;
        feed.pc.ontrack = event => {
            if (!feed.element) {
                feed.element = document.createElement('video');
                feed.element.autoplay = true;
                feed.element.playsInline = true;
                document.body.appendChild(feed.element);
            }
            feed.element.srcObject = event.streams[0] || new MediaStream([event.track]);
        };
        await request('videoroom-feed-attach', {session: client.session, publisher, feed: feed.id});
    }

    async function detach(publisher) {
        const feed = client.feeds[publisher];
        if (!feed) {
            return;
        }
        delete client.feeds[publisher];
        feed.pc.close();
        await request('videoroom-feed-detach', {session: client.session, feed: feed.id});
    }

    async function onEvent(message) {
        if (message.sylkrtc !== 'videoroom-event') {
            return;
        }
        if (message.event === 'conference-audio-levels') {
            // up to twice a second while anyone speaks: kept apart from the other events
            client.audioLevels.push(message);
            return;
        }
        client.events.push(message.event + (message.state ? ':' + message.state : '')
            + (message.publishers ? ':' + message.publishers.map(p => p.id || p).join(',') : ''));
        if (message.event === 'session-state' && message.state === 'accepted') {
            // as it comes: Chrome turns its upper simulcast layers on as its bandwidth estimate, made from the
            // SFU's transport-wide feedback, allows them
            await client.pc.setRemoteDescription({type: 'answer', sdp: message.sdp});
        } else if (message.event === 'initial-publishers' || message.event === 'publishers-joined') {
            await Promise.all(message.publishers.map(publisher => attach(publisher.id)));
        } else if (message.event === 'publishers-left') {
            await Promise.all(message.publishers.map(detach));
        } else if (message.event === 'feed-attached') {
            const feed = byFeed[message.feed];
            await feed.pc.setRemoteDescription({type: 'offer', sdp: message.sdp});
            await feed.pc.setLocalDescription(await feed.pc.createAnswer());
            await request('videoroom-feed-answer', {session: client.session, feed: feed.id,
                sdp: feed.pc.localDescription.sdp});
        } else if (message.event === 'feed-established') {
            byFeed[message.feed].established = true;
        }
    }

    client.open = () => new Promise((resolve, reject) => {
        client.ws = new WebSocket(`ws://${location.host}/webrtcgateway/ws`, 'sylkRTC-2');
        client.ws.onerror = () => reject(new Error('WebSocket failed'));
        client.ws.onmessage = event => {
            const message = JSON.parse(event.data);
            if (message.sylkrtc === 'ready-event') {
                resolve(true);
            } else if (message.sylkrtc === 'ack' || message.sylkrtc === 'error') {
                const waiting = pending.get(message.transaction);
                pending.delete(message.transaction);
                if (waiting) {
                    message.sylkrtc === 'ack' ? waiting.resolve(true) : waiting.reject(new Error(message.error));
                }
            } else {
                onEvent(message).catch(record);
            }
        };
    });

    /**
     * Adds the account and publishes the fake camera and microphone in the room (spec §4.6.2); with
     * {simulcast: true} the camera is sent at 1280x720 in three simulcast layers (RFC 8853 rids q, h, f: a quarter, a
     * half and the whole size).
     */
    client.join = async (account, room, options = {}) => {
        await request('account-add', {account, password: 'x', display_name: account.split('@')[0]});
        // Chrome's noise suppression may learn the fake microphone's beeps as noise: the transport is the point
        client.stream = await navigator.mediaDevices.getUserMedia({
            video: options.simulcast ? {width: 1280, height: 720} : true,
            audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false}});
        client.pc = new RTCPeerConnection();
        client.simulcast = !!options.simulcast;
        const layers = [{rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000},
            {rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000}, {rid: 'f', maxBitrate: 1500000}];
        client.stream.getTracks().forEach(track => client.pc.addTransceiver(track, {direction: 'sendonly',
            streams: [client.stream], ...(track.kind === 'video' && options.simulcast ? {sendEncodings: layers} : {})}));
        await client.pc.setLocalDescription(await client.pc.createOffer());
        client.session = crypto.randomUUID();
        await request('videoroom-join', {account, uri: room, session: client.session,
            sdp: client.pc.localDescription.sdp});
        return client.session;
    };

    client.leave = () => request('videoroom-leave', {session: client.session});

    /** The most the feed of {@code publisher} may take, in bit/s (videoroom-session-update on the feed, spec §4.4). */
    client.limit = (publisher, bitrate) => request('videoroom-session-update',
        {session: client.feeds[publisher].id, options: {bitrate}});

    return client;
})();
true
