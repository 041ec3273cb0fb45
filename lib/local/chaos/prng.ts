/**
 * The chaos mode's random numbers: small, fast and reproducible. Each fault stream (a fault kind
 * at one place: duplicates on queue A, crashes of function B) has its own generator, seeded from
 * the profile's seed and the stream's name, so what one stream draws does not depend on how
 * often another was asked: a fault at queue A stays where it was when traffic elsewhere changes.
 */

/** mulberry32 (Tommy Ettinger's 32-bit generator): numbers in [0, 1) from a 32-bit state. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed of one named stream: FNV-1a over the name, started from the profile's seed. */
export function streamSeed(seed: number, name: string): number {
  // Fold the seed's high bits in too: seeds above 2^32 must not collide with their low half.
  let hash = (0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 4_294_967_296)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
