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

(function page() {
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

    function onEvent(event) {
        if (event.sylkrtc === 'account-event' && event.event === 'registration-state') {
            $('state').textContent = event.state + (event.reason ? ` (${event.reason})` : '');
            log(`${event.account}: ${event.state}${event.reason ? ' ' + event.reason : ''}`);
            $('unregister').disabled = event.state !== 'registered';
        } else {
            log(`event ${event.sylkrtc}`);
        }
    }

    async function connect() {
        if (connection === null) {
            connection = new SylkRtcConnection(`${scheme}//${location.host}${base}ws`, onEvent, log);
            connection.ready.catch(() => { connection = null; });
        }
        await connection.ready;
        return connection;
    }

    $('register').addEventListener('click', async () => {
        const aor = $('account').value.trim().replace(/^sips?:/, '');
        const at = aor.indexOf('@');
        if (at < 1) {
            log('enter a SIP address such as alice@example.com');
            return;
        }
        try {
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
            }
            await sylk.request('account-register', {account});
            log(`registering ${account}`);
        } catch (error) {
            log(`error: ${error.message}`);
        }
    });

    $('unregister').addEventListener('click', async () => {
        try {
            await (await connect()).request('account-unregister', {account});
            $('state').textContent = 'not registered';
            $('unregister').disabled = true;
            log(`${account}: unregistered`);
        } catch (error) {
            log(`error: ${error.message}`);
        }
    });
})();
