/**
 * fast-check arbitraries for what a broken or hostile server answers: text with control
 * characters and echoed secrets, JSON with wrong types, integers past 2^64 and prototype keys,
 * answers shaped like the real ones but with hostile values, cut-off JSON and invalid UTF-8.
 */
import fc from 'fast-check';

/** Shaped like a Google API key, so a server that echoes it can be caught doing so. */
export const SENTINEL_KEY = 'AIzaSyHostileSentinel0123456789abcdefgh';
/** Shaped like a Google OAuth access token. */
export const SENTINEL_TOKEN = 'ya29.hostile-sentinel-access-token-0123456789';
/** Replaced by the JWT assertion of the request being answered, where there is one. */
export const ASSERTION_ECHO = 'ASSERTION_ECHO';
/** Every run of fast-check draws the same cases; a failure prints its own seed and path. */
export const FAST_CHECK_SEED = 0x5eed_0606;

const SECRETS = [
  `key=${SENTINEL_KEY}`,
  `Authorization: key=${SENTINEL_KEY}`,
  `Bearer ${SENTINEL_TOKEN}`,
  SENTINEL_KEY,
  SENTINEL_TOKEN,
  ASSERTION_ECHO,
];

/** Text a hostile server may put in any field or body. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u001b[2J\u001b[31mcleared and red',
    'first line\nsecond line',
    'carriage\rreturn',
    '\u009b31m C1 escape',
    'para\u2028graph',
    '\ud800 lone surrogate',
    '',
    '   ',
  ),
  fc
    .tuple(fc.string({ unit: 'binary', maxLength: 250 }), fc.constantFrom(...SECRETS))
    .map(([before, secret]) => `${before}${secret} was rejected`),
  fc
    .tuple(fc.string({ maxLength: 4 }), fc.integer({ min: 100, max: 3000 }))
    .map(([unit, times]) => unit.repeat(times)),
);

const scalarText: fc.Arbitrary<string> = fc.oneof(
  hostileText.map((text) => JSON.stringify(text)),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('1e400', '-1e400', '0', '-0', '7718', 'true', 'false', 'null', '""'),
);

/** Field names the parsers read, and the ones that reach an object's prototype. */
const fieldName = fc.constantFrom(
  'results',
  'message_id',
  'registration_id',
  'error',
  'multicast_id',
  'name',
  'code',
  'message',
  'status',
  'details',
  '@type',
  'errorCode',
  'fieldViolations',
  'field',
  'description',
  'reason',
  'access_token',
  'token_type',
  'expires_in',
  'error_description',
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
);

/** Any JSON value, written as text so integers past 2^64 stay as written. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{
  value: string;
  array: string;
  object: string;
}>((tie) => ({
  value: fc.oneof({ maxDepth: 4 }, scalarText, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 6 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(fieldName, tie('value')), { maxLength: 6 })
    .map(
      (entries) =>
        `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`,
    ),
})).value;

const codeText = fc
  .oneof(
    fc.constantFrom(
      'UNREGISTERED',
      'INVALID_ARGUMENT',
      'UNAVAILABLE',
      'INTERNAL',
      'QUOTA_EXCEEDED',
    ),
    fc.constantFrom('UNAUTHENTICATED', 'PERMISSION_DENIED', 'NOT_FOUND', 'UNSPECIFIED_ERROR'),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '400', '429'),
    hostileText,
  )
  .map((code) => JSON.stringify(code));

const anyValue = fc.oneof(jsonText, codeText);

/** A legacy answer with `count` results, each with hostile or wrong-typed fields. */
export function legacyAnswer(count: number): fc.Arbitrary<string> {
  const result = fc
    .tuple(anyValue, anyValue, fc.oneof(codeText, anyValue), fc.nat({ max: 3 }))
    .map(([messageId, canonical, error, shape]) =>
      [
        shape !== 1 && `"message_id":${messageId}`,
        shape === 2 && `"registration_id":${canonical}`,
        shape !== 0 && `"error":${error}`,
      ]
        .filter(Boolean)
        .join(','),
    )
    .map((fields) => `{${fields}}`);
  return fc
    .tuple(anyValue, fc.array(result, { minLength: count, maxLength: count }))
    .map(([multicastId, results]) => `{"multicast_id":${multicastId},"results":[${results}]}`);
}

/** A v1 error answer with hostile codes, messages, field violations and APNs reasons. */
export const v1ErrorAnswer: fc.Arbitrary<string> = fc
  .tuple(anyValue, codeText, codeText, anyValue, anyValue, anyValue)
  .map(
    ([message, status, errorCode, field, description, reason]) =>
      `{"error":{"code":${message.length % 600},"message":${message},"status":${status},` +
      `"details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError",` +
      `"errorCode":${errorCode}},{"@type":"type.googleapis.com/google.rpc.BadRequest",` +
      `"fieldViolations":[{"field":${field},"description":${description}}]},` +
      `{"@type":"type.googleapis.com/google.firebase.fcm.v1.ApnsError","reason":${reason}}]}}`,
  );

/** A token endpoint answer, or its error, with hostile values in every field. */
export const tokenAnswer: fc.Arbitrary<string> = fc
  .tuple(anyValue, anyValue, anyValue, anyValue, anyValue)
  .map(
    ([token, type, expires, error, description]) =>
      `{"access_token":${token},"token_type":${type},"expires_in":${expires},` +
      `"error":${error},"error_description":${description}}`,
  );

/** `body` cut off anywhere, as a proxy that gave up mid-answer sends it. */
export function cutOff(body: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return body.chain((text) => fc.nat({ max: text.length }).map((end) => text.slice(0, end)));
}

/** `body` with a few bytes overwritten, decoded the way the transport decodes every answer. */
export function corrupted(body: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(body, fc.array(fc.tuple(fc.nat(), fc.constantFrom(0xff, 0xc3, 0xe2, 0x80, 0x00))))
    .map(([text, damage]) => {
      const bytes = Buffer.from(text, 'utf8');
      for (const [at, byte] of damage) if (bytes.length > 0) bytes[at % bytes.length] = byte;
      return bytes.toString('utf8');
    });
}

/** Raw bytes, decoded as the transport decodes them: invalid UTF-8 becomes U+FFFD. */
export const randomBytesText: fc.Arbitrary<string> = fc
  .uint8Array({ maxLength: 300 })
  .map((bytes) => Buffer.from(bytes).toString('utf8'));

/** Any body at all, hostile in one of the ways above, with `shaped` answers among them. */
export function hostileBody(shaped: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    shaped,
    cutOff(shaped),
    corrupted(shaped),
    jsonText,
    hostileText,
    randomBytesText,
    fc.constantFrom('<html><body>502 Bad Gateway</body></html>', '\ufeff{}', ''),
  );
}

/** Retry-After values, sane and not. */
export const retryAfter = fc.constantFrom(
  undefined,
  '0',
  '120',
  '99999999999999999999999',
  'Wed, 21 Oct 2015 07:28:00 GMT',
  'soon',
  '-1',
);
