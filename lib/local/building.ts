/**
 * An object being built member by member, then handed on as T: its members writable, so
 * optional ones are set only when present. Hot paths do this instead of conditional spreads,
 * each of which makes and copies a throwaway object.
 */
export type Building<T> = { -readonly [K in keyof T]: T[K] };
