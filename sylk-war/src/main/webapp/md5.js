// MD5 (RFC 1321), for the digest HA1 that sylkRTC expects as an account's password (spec §4.5.2):
// browsers' Web Crypto has no MD5, and this page is plain files without a build step.
'use strict';

const MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const MD5_SINES = Array.from({length: 64}, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

function md5Hex(text) {
    const bytes = new TextEncoder().encode(text);
    const blocks = ((bytes.length + 8) >>> 6) + 1;
    const words = new Uint32Array(blocks * 16);
    for (let i = 0; i < bytes.length; i++) {
        words[i >>> 2] |= bytes[i] << ((i % 4) * 8);
    }
    words[bytes.length >>> 2] |= 0x80 << ((bytes.length % 4) * 8);
    const bits = bytes.length * 8;
    words[blocks * 16 - 2] = bits >>> 0;
    words[blocks * 16 - 1] = Math.floor(bits / 2 ** 32);
    const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for (let block = 0; block < blocks; block++) {
        let [a, b, c, d] = state;
        for (let i = 0; i < 64; i++) {
            const round = i >>> 4;
            let f;
            let g;
            if (round === 0) {
                f = (b & c) | (~b & d);
                g = i;
            } else if (round === 1) {
                f = (d & b) | (~d & c);
                g = (5 * i + 1) % 16;
            } else if (round === 2) {
                f = b ^ c ^ d;
                g = (3 * i + 5) % 16;
            } else {
                f = c ^ (b | ~d);
                g = (7 * i) % 16;
            }
            const sum = (f + a + MD5_SINES[i] + words[block * 16 + g]) >>> 0;
            const shift = MD5_SHIFTS[round * 4 + (i % 4)];
            a = d;
            d = c;
            c = b;
            b = (b + ((sum << shift) | (sum >>> (32 - shift)))) >>> 0;
        }
        state[0] = (state[0] + a) >>> 0;
        state[1] = (state[1] + b) >>> 0;
        state[2] = (state[2] + c) >>> 0;
        state[3] = (state[3] + d) >>> 0;
    }
    let hex = '';
    for (const word of state) {
        for (let i = 0; i < 4; i++) {
            hex += ((word >>> (i * 8)) & 0xff).toString(16).padStart(2, '0');
        }
    }
    return hex;
}

if (typeof module !== 'undefined') {
    module.exports = {md5Hex};
}
