// The page's MD5 against the test suite of RFC 1321 §A.5, and the HA1 of RFC 2617 §3.5's example.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const {md5Hex} = require(path.join(__dirname, '..', '..', 'main', 'webapp', 'md5.js'));

test('RFC 1321 A.5 test suite', () => {
    const suite = {
        '': 'd41d8cd98f00b204e9800998ecf8427e',
        'a': '0cc175b9c0f1b6a831c399e269772661',
        'abc': '900150983cd24fb0d6963f7d28e17f72',
        'message digest': 'f96b697d7cb7938d525a2f31aaf161d0',
        'abcdefghijklmnopqrstuvwxyz': 'c3fcd3d76192e4007dfb496cca67e13b',
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789': 'd174ab98d277d9f5a5611c2c9f419d9f',
        '12345678901234567890123456789012345678901234567890123456789012345678901234567890':
            '57edf4a22be3c955ac49da2e2107b67a',
    };
    for (const [input, digest] of Object.entries(suite)) {
        assert.strictEqual(md5Hex(input), digest, JSON.stringify(input));
    }
});

test('HA1 of the RFC 2617 §3.5 example, and UTF-8 input', () => {
    assert.strictEqual(md5Hex('Mufasa:testrealm@host.com:Circle Of Life'), '939e7578ed9e3c518a452acee763bce9');
    // UTF-8 bytes are hashed, as the server's MessageDigest does: MD5("é") of bytes c3 a9
    assert.strictEqual(md5Hex('\u00e9'), '66ddcd97cfdeabb2f6fb8a999b4bc76f');
});
