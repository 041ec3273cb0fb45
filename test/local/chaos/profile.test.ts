import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHAOS_PRESETS, ChaosProfileError, formatChaosProfile, parseChaosProfile } from '../../../lib/local/chaos/profile.ts';

test('the CLI form sets each named probability and the seed', () => {
  assert.deepEqual(parseChaosProfile('duplicate=0.1,crash=0.1,reorder=0.1,visibility-expiry=0.05,throttle=0.05', 7), {
    duplicate: 0.1, crash: 0.1, reorder: 0.1, visibilityExpiry: 0.05, throttle: 0.05, seed: 7,
  });
});

test('a preset name gives its probabilities, and later pairs override them', () => {
  const profile = parseChaosProfile('gentle,crash=0.2', 1);
  assert.equal(profile.crash, 0.2);
  assert.equal(profile.duplicate, CHAOS_PRESETS.gentle.duplicate);
});

test('every preset reads back from its CLI form', () => {
  for (const name of Object.keys(CHAOS_PRESETS) as (keyof typeof CHAOS_PRESETS)[]) {
    const profile = parseChaosProfile(name, 3);
    assert.deepEqual(parseChaosProfile(formatChaosProfile(profile), 3), profile, name);
  }
});

test('an unknown key is refused, naming it and the valid keys', () => {
  assert.throws(() => parseChaosProfile('duplicate=0.1,crsh=0.1', 1), (e: unknown) =>
    e instanceof ChaosProfileError && /unknown chaos fault "crsh"/.test(e.message) && /visibility-expiry/.test(e.message));
});

test('a probability outside 0..1 is refused, naming the key and the value', () => {
  assert.throws(() => parseChaosProfile('duplicate=1.5', 1), /chaos duplicate must be a probability from 0 to 1, not "1.5"/);
  assert.throws(() => parseChaosProfile('reorder=lots', 1), /chaos reorder must be a probability from 0 to 1, not "lots"/);
});

test('an unknown preset is refused, listing the presets', () => {
  assert.throws(() => parseChaosProfile('brutal', 1), /unknown chaos preset "brutal": presets are none, gentle, default, harsh/);
});

test('delay-ms takes whole milliseconds', () => {
  assert.equal(parseChaosProfile('delay=0.5,delay-ms=250', 1).delayMs, 250);
  assert.throws(() => parseChaosProfile('delay-ms=-1', 1), /delay-ms must be a whole number/);
});

test('a seed that is not a whole number is refused', () => {
  assert.throws(() => parseChaosProfile('default', 1.5), /chaos seed must be a whole number/);
});
