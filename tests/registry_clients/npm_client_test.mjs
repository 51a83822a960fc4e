// Drives Assay's schema registry with a client we did not write: npm
// @kafkajs/confluent-schema-registry 3.9.0 (pinned in package.json; 4.x needs node >= 22),
// unmodified, through its public API only.
//
//   node npm_client_test.mjs URL TOKEN
//
// URL is `http://127.0.0.1:PORT/registry`; the token travels as the HTTP Basic password (the
// client's `auth` option). Exits non-zero on the first failed check, or when the package cannot
// be imported: a missing client fails the test, it is never skipped.

import assert from 'node:assert/strict';

import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node npm_client_test.mjs URL TOKEN');
  process.exit(2);
}

function ok(what) {
  console.log(`ok: ${what}`);
}

const writer = new SchemaRegistry({ host: url, auth: { username: 'assay', password: token } });
// Reads need no token; a new client also has an empty cache, so fetching really asks the server.
const reader = () => new SchemaRegistry({ host: url });

// An Avro named record: the client derives the subject `com.example.Payment` from it.
const payment = {
  type: 'record',
  name: 'Payment',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};
const { id: avroId } = await writer.register({ type: SchemaType.AVRO, schema: JSON.stringify(payment) });
assert.ok(Number.isInteger(avroId) && avroId >= 1);
ok(`register Avro record -> id ${avroId}`);

assert.equal(await reader().getLatestSchemaId('com.example.Payment'), avroId);
ok('getLatestSchemaId of the Avro subject');

// Fetch by id, then use the fetched schema: the Confluent wire format round trip.
const avroSchema = await reader().getSchema(avroId);
assert.ok(avroSchema.isValid({ id: 'p-1', amount: 12.5 }));
const encoded = await writer.encode(avroId, { id: 'p-1', amount: 12.5 });
assert.equal(encoded[0], 0);
assert.equal(encoded.readInt32BE(1), avroId);
assert.deepEqual({ ...(await reader().decode(encoded)) }, { id: 'p-1', amount: 12.5 });
ok('getSchema(id) of the Avro schema; encode/decode through it');

// The client set the subject to BACKWARD after its first registration (PUT /config/{subject})
// and checks GET /config/{subject} before the next one.
const again = await writer.register({ type: SchemaType.AVRO, schema: JSON.stringify(payment) });
assert.equal(again.id, avroId);
ok('registering the same schema again gives the same id');

const evolved = {
  ...payment,
  fields: [...payment.fields, { name: 'note', type: ['null', 'string'], default: null }],
};
const { id: evolvedId } = await writer.register({ type: SchemaType.AVRO, schema: JSON.stringify(evolved) },
  { compatibility: COMPATIBILITY.BACKWARD });
assert.notEqual(evolvedId, avroId);
assert.equal(await reader().getLatestSchemaId('com.example.Payment'), evolvedId);
assert.equal(await reader().getRegistryId('com.example.Payment', 1), avroId);
assert.equal(await reader().getRegistryIdBySchema('com.example.Payment',
  { type: SchemaType.AVRO, schema: JSON.stringify(payment) }), avroId);
ok('an evolved version becomes the latest; version 1 and lookup by schema keep the first id');

// A JSON schema needs an explicit subject. No `format` keyword: the client compiles schemas with
// ajv in strict mode, which refuses unknown formats.
const event = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { kind: { type: 'string' }, count: { type: 'integer', minimum: 0 } },
  required: ['kind'],
  additionalProperties: false,
};
const { id: jsonId } = await writer.register({ type: SchemaType.JSON, schema: JSON.stringify(event) },
  { subject: 'npm-events-value' });
assert.ok(jsonId !== avroId && jsonId !== evolvedId);
ok(`register JSON schema with {subject} -> id ${jsonId}`);

// The fetched schema is compiled and used: encoding validates the payload against it. (Its
// isValid() without an errorHook always answers true in 3.9.0, so encode is the check.)
const fresh = reader();
await fresh.getSchema(jsonId);
const event1 = await fresh.encode(jsonId, { kind: 'click', count: 1 });
assert.equal(event1.readInt32BE(1), jsonId);
assert.deepEqual(await reader().decode(event1), { kind: 'click', count: 1 });
await assert.rejects(fresh.encode(jsonId, { count: -1 }), /invalid payload/);
assert.equal(await reader().getLatestSchemaId('npm-events-value'), jsonId);
ok('getSchema(id) of the JSON schema validates payloads; getLatestSchemaId');

// An incompatible change is refused by the server (409).
const incompatible = { ...payment, fields: [...payment.fields, { name: 'currency', type: 'string' }] };
await assert.rejects(
  writer.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible) }),
  (e) => e.status === 409,
);
ok('an incompatible schema is refused with 409');

// A wrong token is refused (401) and registers nothing.
const intruder = new SchemaRegistry({ host: url, auth: { username: 'assay', password: 'wrong' } });
await assert.rejects(
  intruder.register({ type: SchemaType.JSON, schema: JSON.stringify(event) }, { subject: 'npm-intruder' }),
  (e) => e.status === 401,
);
await assert.rejects(reader().getLatestSchemaId('npm-intruder'), (e) => e.status === 404);
ok('a wrong token is refused with 401');

console.log('npm client: all checks passed');
