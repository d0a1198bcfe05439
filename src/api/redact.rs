//! Keeping secrets out of everything people see: the bodies and headers the server sends
//! (before anything is decoded, traced, quoted or cut), error messages, and the
//! `--show-http` trace of each request and response.
//!
//! A hostile or careless server may echo the token back: whole, cut at any point, without
//! its first characters, percent-encoded (`%2B`/`%2b`), in base64url (`-_` for `+/`, with
//! or without `=` padding), JSON-escaped (`\/`, `\u002b`) or as HTML character references
//! (`&#43;`, `&#x2F;`, `&plus;`), and any of those escapes written again inside a JSON
//! string (`\\u002b`, `\u00252B`), which JSON decoding turns back into the escape people
//! are then shown. So the rule is not "remove the token" but "remove every run of
//! more than [`TOKEN_PREFIX_LEN`] characters of it, in any of those spellings": what may
//! remain is at most as long as the prefix the API shows anyway.
//!
//! Text is compared in a canonical spelling (escapes decoded, `-`→`+`, `_`→`/`), with a
//! rolling hash over every window of `TOKEN_PREFIX_LEN + 1` characters, so a 32 MiB body
//! is scrubbed in one pass and without a second copy unless something was found.
//!
//! A token in use may be any printable ASCII (a sandbox's `--token`), so it may hold the
//! characters escapes start with, and escapes of its own (`%2B`): the token is taken as
//! written, and text is also read with one kind of escape decoded at a time, as an echo
//! that percent-encodes, JSON-escapes or HTML-escapes it writes it. Real tokens are base64
//! and are spared those readings.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::facts::TOKEN_PREFIX_LEN;
use crate::secret::Secret;

/// What a found run is replaced with.
const REDACTED: &str = "(redacted)";
/// Secrets shorter than this are not looked for: they would match ordinary words.
const MIN_SECRET_LEN: usize = 8;
/// A run of this many characters of a secret is never shown: one more than the prefix.
const WINDOW: usize = TOKEN_PREFIX_LEN + 1;
/// How much of a body that is not JSON the trace shows.
const TRACE_BODY_BYTES: usize = 4096;
/// The multiplier of the rolling hash (odd, so every power is invertible mod 2^64).
const BASE: u64 = 0x100_0000_01b3;

/// The secrets one call must never show: the token it authenticates with, and a whole token
/// given where a prefix was expected.
pub(super) struct Redactor {
    patterns: Vec<Pattern>,
}

impl Redactor {
    pub(super) fn new(token: Option<&Secret>, in_path: Option<&Secret>) -> Redactor {
        Redactor {
            patterns: [token, in_path]
                .into_iter()
                .flatten()
                .filter_map(|secret| Pattern::new(secret.expose()))
                .collect(),
        }
    }

    /// The same, keeping these secrets out too (a token created earlier in the command).
    pub(super) fn and<'s>(mut self, secrets: impl IntoIterator<Item = &'s Secret>) -> Redactor {
        self.patterns.extend(
            secrets
                .into_iter()
                .filter_map(|secret| Pattern::new(secret.expose())),
        );
        self
    }

    /// Keep `secret` out too, from now on.
    pub(super) fn add(&mut self, secret: &Secret) {
        self.patterns.extend(Pattern::new(secret.expose()));
    }

    /// `text` without any run of the secrets (see the module comment).
    pub(super) fn scrub(&self, text: &str) -> String {
        match self.scrub_bytes(text.as_bytes()) {
            // Runs start and end on ASCII characters, so what is left is still UTF-8.
            Cow::Owned(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Cow::Borrowed(_) => text.to_owned(),
        }
    }

    /// `bytes` without any run of the secrets; borrowed when there was none.
    pub(super) fn scrub_bytes<'b>(&self, bytes: &'b [u8]) -> Cow<'b, [u8]> {
        let mut text = Cow::Borrowed(bytes);
        for pattern in &self.patterns {
            if !pattern.present(&text) {
                continue;
            }
            let runs = pattern.runs_in(&text);
            if !runs.is_empty() {
                text = Cow::Owned(replace_runs(&text, &runs));
            }
        }
        text
    }
}

/// One secret, ready to be looked for: the hashes of every window of its canonical form,
/// a bitmap of those hashes that rejects almost every other window at the cost of one
/// load, and the bytes the secret is made of (a window holding any other byte cannot be a
/// piece of it, which skips most of a body without hashing).
struct Pattern {
    window: usize,
    hashes: HashSet<u64, BuildHasherDefault<AsIs>>,
    filter: Vec<u64>,
    alphabet: [bool; 256],
    /// [`canonical_table`], built once per secret.
    canonical: [u8; 256],
    /// Every [`GRAM`]-byte piece of the canonical secret, for [`Pattern::present`], and a
    /// bitmap of them that answers most lookups with one load.
    grams: HashSet<u64, BuildHasherDefault<AsIs>>,
    gram_filter: Vec<u64>,
    /// The secret holds characters escapes start with (`%`, `\\`, `&`: a token in use may
    /// be any printable ASCII; real ones are base64), so text is also read with one kind
    /// of escape decoded at a time ([`Reading::Only`]).
    literal_escapes: bool,
}

/// The piece length [`Pattern::present`] samples with: a word, loaded at once.
const GRAM: usize = 8;
/// The longest escape [`escaped`] reads, in characters: `&#`, seven digits and `;`.
const LONGEST_ESCAPE: usize = 10;
/// Around an escape (`%2B`, `&#x2B;`: at most 8 bytes each), how far a window of the secret
/// can reach, with room to fall back into step after cutting an escape in two. An escape
/// written with escapes is longer (up to 60 bytes: ten characters of six, `\u0026`), but
/// each of those starts an escape too, so the stretches around them join up.
const ESCAPE_REACH: usize = WINDOW * 8 + 16;

/// Bits in [`Pattern::filter`]: 64 Ki, for at most a few hundred windows.
const FILTER_BITS: u64 = 1 << 16;

impl Pattern {
    fn new(secret: &str) -> Option<Pattern> {
        let canonical = canonical_secret(secret.as_bytes());
        if canonical.len() < MIN_SECRET_LEN {
            return None;
        }
        // A secret no longer than a prefix is looked for whole.
        let window = WINDOW.min(canonical.len());
        let hashes: HashSet<u64, BuildHasherDefault<AsIs>> =
            canonical.windows(window).map(hash).collect();
        let mut filter = vec![0u64; (FILTER_BITS / 64) as usize];
        for hash in &hashes {
            let bit = hash % FILTER_BITS;
            filter[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        let mut alphabet = [false; 256];
        for &byte in &canonical {
            alphabet[usize::from(byte)] = true;
        }
        let grams: HashSet<u64, BuildHasherDefault<AsIs>> = canonical
            .windows(GRAM)
            .flat_map(spellings)
            .map(|piece| mixed(gram(&piece)))
            .collect();
        let mut gram_filter = vec![0u64; (FILTER_BITS / 64) as usize];
        for key in &grams {
            let bit = key >> 48;
            gram_filter[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        let literal_escapes = canonical
            .iter()
            .any(|byte| matches!(byte, b'%' | b'\\' | b'&'));
        Some(Pattern {
            literal_escapes,
            window,
            hashes,
            filter,
            alphabet,
            canonical: canonical_table(),
            grams,
            gram_filter,
        })
    }

    fn may_hold(&self, hash: u64) -> bool {
        let bit = hash % FILTER_BITS;
        self.filter[(bit / 64) as usize] & (1 << (bit % 64)) != 0 && self.hashes.contains(&hash)
    }

    /// Whether `text` may hold a run of the secret: a quick look that rules out nearly every
    /// response, so that [`Pattern::runs_in`] (a rolling hash over every byte) runs only
    /// where something is there.
    ///
    /// A run of `window` units without escapes holds `window - GRAM + 1` consecutive
    /// `GRAM`-byte pieces of the secret, one of which starts at a multiple of that step: so
    /// sampling one piece per step misses none. A run with an escape is found by scanning
    /// exactly, but only around the escapes (JSON bodies have few).
    fn present(&self, text: &[u8]) -> bool {
        if self.window < GRAM {
            return !self.runs_in(text).is_empty();
        }
        let step = self.window - GRAM + 1;
        let mut at = 0;
        while let Some(piece) = text.get(at..at + GRAM) {
            let mut bytes = [0u8; GRAM];
            bytes.copy_from_slice(piece);
            let key = mixed(u64::from_le_bytes(bytes));
            let bit = key >> 48;
            if self.gram_filter[(bit / 64) as usize] & (1 << (bit % 64)) != 0
                && self.grams.contains(&key)
            {
                return true;
            }
            at += step;
        }
        // Around each escape (JSON bodies have few), the exact scan: the stretches around
        // escapes near each other are merged first, so that each is scanned whole.
        let mut stretch: Option<Range<usize>> = None;
        for at in memchr::memchr3_iter(b'%', b'\\', b'&', text) {
            let around = at.saturating_sub(ESCAPE_REACH)..(at + ESCAPE_REACH).min(text.len());
            match &mut stretch {
                Some(current) if around.start <= current.end => current.end = around.end,
                _ => {
                    if let Some(done) = stretch.replace(around)
                        && !self.runs_in(&text[done]).is_empty()
                    {
                        return true;
                    }
                }
            }
        }
        stretch.is_some_and(|last| !self.runs_in(&text[last]).is_empty())
    }

    /// The byte ranges of `text` that spell a run of the secret, merged.
    ///
    /// Read up to three ways: with escapes decoded, with none (an escape's `%` may instead
    /// be an ordinary character right before the secret: `%4` + `2kd…` must not hide
    /// `2kd…`), and, where JSON escapes may spell escapes, with those decoded too
    /// ([`escaped_twice`]). [`Pattern::present`] decides whether it runs at all; it is
    /// written for speed even so: one table lookup per plain byte, the ring of the last
    /// `window` units wraps by comparison (not division), and only windows whose hash passes
    /// the bitmap reach the hash set.
    fn runs_in(&self, text: &[u8]) -> Vec<Range<usize>> {
        let mut runs = self.runs_read(text, Reading::Escapes);
        if memchr::memchr3(b'%', b'\\', b'&', text).is_some() {
            runs.extend(self.runs_read(text, Reading::AsWritten));
            if may_be_escaped_twice(text) {
                runs.extend(self.runs_read(text, Reading::EscapesTwice));
            }
            if self.literal_escapes {
                for start in [b'%', b'\\', b'&'] {
                    if memchr::memchr(start, text).is_some() {
                        runs.extend(self.runs_read(text, Reading::Only(start)));
                    }
                }
                if memchr::memchr(b'\\', text).is_some() {
                    runs.extend(self.runs_read(text, Reading::JsonTwice));
                }
            }
            runs.sort_by_key(|run| run.start);
            let mut merged: Vec<Range<usize>> = Vec::with_capacity(runs.len());
            for run in runs {
                match merged.last_mut() {
                    Some(last) if run.start <= last.end => last.end = last.end.max(run.end),
                    _ => merged.push(run),
                }
            }
            runs = merged;
        }
        runs
    }

    /// [`Pattern::runs_in`], reading escapes as `reading` says.
    fn runs_read(&self, text: &[u8], reading: Reading) -> Vec<Range<usize>> {
        let window = self.window;
        let top = BASE.wrapping_pow(window as u32 - 1);
        // The last `window` units, as a ring: their canonical bytes and where each starts.
        let mut ring_byte = [0u8; WINDOW];
        let mut ring_start = [0usize; WINDOW];
        let (mut next, mut filled, mut rolling) = (0usize, 0usize, 0u64);
        let mut runs: Vec<Range<usize>> = Vec::new();
        let mut inside = StartsInside::new(window);
        let mut at = 0;
        while let Some(&raw) = text.get(at) {
            let start = at;
            let byte = match self.canonical[usize::from(raw)] {
                ESCAPE => {
                    let rest = &text[at..];
                    let decoded = match reading {
                        Reading::Escapes => escaped(rest),
                        Reading::AsWritten => None,
                        Reading::EscapesTwice => escaped_twice(rest).or_else(|| escaped(rest)),
                        Reading::Only(start) if start == raw => escaped(rest),
                        Reading::Only(_) => None,
                        Reading::JsonTwice => json_escaped_twice(rest),
                    };
                    let (byte, len) = decoded.unwrap_or((raw, 1));
                    at += len;
                    byte
                }
                byte => {
                    at += 1;
                    byte
                }
            };
            let escape = (at - start > 1).then(|| &text[start..at]);
            if !self.alphabet[usize::from(byte)] {
                (filled, rolling) = (0, 0);
                inside.reset();
                // `%2` + `5abc…` reads as `%` + `abc…`: still a start inside an escape.
                if let Some(escape) = escape {
                    inside.begin(self, escape, start);
                }
                continue;
            }
            if filled == window {
                rolling = rolling.wrapping_sub(u64::from(ring_byte[next]).wrapping_mul(top));
            } else {
                filled += 1;
            }
            rolling = rolling.wrapping_mul(BASE).wrapping_add(u64::from(byte));
            ring_byte[next] = byte;
            ring_start[next] = start;
            next += 1;
            if next == window {
                next = 0;
            }
            if filled == window && self.may_hold(rolling) {
                // `next` now points at the oldest unit of the window.
                let (start, end) = (ring_start[next], at);
                match runs.last_mut() {
                    Some(last) if start <= last.end => last.end = end,
                    _ => runs.push(start..end),
                }
            }
            if inside.active {
                inside.unit(self, byte, at);
            }
            if let Some(escape) = escape {
                inside.begin(self, escape, start);
            }
        }
        // Sorted and merged with the other readings' runs by `runs_in`.
        runs.extend(inside.found);
        runs
    }
}

/// In [`Pattern::canonical`]: the byte may start an escape (`%2B`, `\u002b`, `&#43;`).
const ESCAPE: u8 = 0;

/// Windows of the secret that may begin inside what [`Pattern::runs_read`] read as an
/// escape: `%4` + `7gFq…` reads as `G` + `gFq…`, which hides a run `7gFq…` when the rest of
/// it holds an escape too (`%2b`), so that neither reading of the text as a whole sees it.
/// Each start inside an escape whose tail (`7`) is plain characters of the secret is
/// followed until the window it begins is complete, at a constant cost per unit read: the
/// hash of the units since the escape comes from a running hash of every unit.
struct StartsInside {
    window: usize,
    /// Set at the first escape: text without escapes costs nothing here.
    active: bool,
    /// Units of the secret's alphabet read since `active`, and the running hash after each
    /// of the last `window` of them (at `units % window`).
    units: usize,
    running: [u64; WINDOW],
    /// `BASE` to the power of the index.
    powers: [u64; WINDOW + 1],
    /// Windows begun, by the unit (modulo `window`) that completes them.
    waiting: [Vec<Begun>; WINDOW],
    /// How many times a character outside the alphabet ended the units: a window begun
    /// before that cannot span it.
    resets: u32,
    /// The runs found, as byte ranges of the text.
    found: Vec<Range<usize>>,
}

/// One window begun inside an escape: where it begins, the hash of its first units (the
/// escape's tail), how many units after the escape it takes, and when it was begun.
struct Begun {
    start: usize,
    tail: u64,
    after: usize,
    resets: u32,
}

impl StartsInside {
    fn new(window: usize) -> StartsInside {
        let mut powers = [1u64; WINDOW + 1];
        for index in 1..=WINDOW {
            powers[index] = powers[index - 1].wrapping_mul(BASE);
        }
        StartsInside {
            window,
            active: false,
            units: 0,
            running: [0; WINDOW],
            powers,
            waiting: std::array::from_fn(|_| Vec::new()),
            resets: 0,
            found: Vec::new(),
        }
    }

    fn reset(&mut self) {
        self.resets = self.resets.wrapping_add(1);
    }

    /// A unit of the alphabet, `byte`, ending at `end` in the text: completes the windows
    /// waiting for it.
    fn unit(&mut self, pattern: &Pattern, byte: u8, end: usize) {
        let previous = self.running[self.units % self.window];
        self.units += 1;
        let running = previous.wrapping_mul(BASE).wrapping_add(u64::from(byte));
        self.running[self.units % self.window] = running;
        let slot = self.units % self.window;
        for begun in std::mem::take(&mut self.waiting[slot]) {
            if begun.resets != self.resets {
                continue;
            }
            let power = self.powers[begun.after];
            let since = self.running[(self.units - begun.after) % self.window];
            let after = running.wrapping_sub(since.wrapping_mul(power));
            if pattern.may_hold(begun.tail.wrapping_mul(power).wrapping_add(after)) {
                self.found.push(begun.start..end);
            }
        }
    }

    /// `escape` (at `offset` in the text) was read as one unit: begin the windows that
    /// start inside it.
    fn begin(&mut self, pattern: &Pattern, escape: &[u8], offset: usize) {
        for begin in 1..escape.len() {
            let tail = &escape[begin..];
            if tail.len() >= self.window {
                // Plain text: read as it is written, whole windows of it are found anyway.
                continue;
            }
            let canonical = tail
                .iter()
                .map(|&byte| pattern.canonical[usize::from(byte)]);
            if !canonical
                .clone()
                .all(|byte| pattern.alphabet[usize::from(byte)])
            {
                continue;
            }
            if !self.active {
                self.active = true;
                self.running[self.units % self.window] = 0;
            }
            let after = self.window - tail.len();
            self.waiting[(self.units + after) % self.window].push(Begun {
                start: offset + begin,
                tail: canonical.fold(0, |hash, byte| {
                    hash.wrapping_mul(BASE).wrapping_add(u64::from(byte))
                }),
                after,
                resets: self.resets,
            });
        }
    }
}

/// How [`Pattern::runs_read`] reads the escapes in a text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Each escape as the character it stands for.
    Escapes,
    /// Escapes as the characters they are written with.
    AsWritten,
    /// Escapes written with escapes, as JSON decoding leaves them (see [`escaped_twice`]),
    /// as the character they stand for in the end; other escapes as in `Escapes`.
    EscapesTwice,
    /// Only the escapes that start with this character (`%`, `\\` or `&`: one encoding,
    /// as an echo applies it), the others as written: for a secret that holds such
    /// characters itself ([`Pattern::literal_escapes`]), whose JSON-escaped echo has a
    /// `%2B` of its own that must stay as written.
    Only(u8),
    /// Only JSON escapes written inside a JSON string (`\\\\` for `\`, see
    /// [`json_escaped_twice`]), the others as written: a JSON-escaped echo of such a secret
    /// in a JSON body.
    JsonTwice,
}

/// Each byte's canonical spelling (see [`canonical_secret`]), or [`ESCAPE`] for `%`, `\\` and `&`.
fn canonical_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    for (byte, slot) in (0u8..=255).zip(table.iter_mut()) {
        *slot = match byte {
            b'%' | b'\\' | b'&' => ESCAPE,
            b'-' => b'+',
            b'_' => b'/',
            // NUL never occurs in a token: mapping it to itself keeps it out of windows.
            other => other,
        };
    }
    table
}

/// A `GRAM`-byte piece as a number (the set's key).
fn gram(piece: &[u8]) -> u64 {
    let mut word = [0u8; GRAM];
    word.copy_from_slice(&piece[..GRAM]);
    u64::from_le_bytes(word)
}

/// Every way a piece of the canonical secret may be written without escapes: each `+` as
/// `+` or base64url's `-`, each `/` as `/` or `_` (a random token has about one of them in
/// four pieces, so there are few).
fn spellings(piece: &[u8]) -> Vec<[u8; GRAM]> {
    let mut spellings = vec![[0u8; GRAM]];
    for (index, &byte) in piece.iter().take(GRAM).enumerate() {
        let other = match byte {
            b'+' => Some(b'-'),
            b'/' => Some(b'_'),
            _ => None,
        };
        for spelling in &mut spellings {
            spelling[index] = byte;
        }
        if let Some(other) = other {
            let mut variants = spellings.clone();
            for variant in &mut variants {
                variant[index] = other;
            }
            spellings.extend(variants);
        }
    }
    spellings
}

/// A piece's bits spread over the whole word, as the hash set (which takes keys as their
/// own hashes) needs.
fn mixed(word: u64) -> u64 {
    (word ^ (word >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The polynomial hash the rolling hash in [`Pattern::runs_in`] keeps up to date.
fn hash(window: &[u8]) -> u64 {
    window.iter().fold(0u64, |hash, &byte| {
        hash.wrapping_mul(BASE).wrapping_add(u64::from(byte))
    })
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
struct AsIs(u64);

impl Hasher for AsIs {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// A secret in the canonical spelling: base64url's `-` and `_` are `+` and `/`. Nothing
/// else changes: a token is what it is, so a `%2B` in it is those three characters (a token
/// in use may be any printable ASCII), which an echo writes as it is or escapes once.
fn canonical_secret(secret: &[u8]) -> Vec<u8> {
    secret.iter().map(|&byte| base64_standard(byte)).collect()
}

/// base64url's `-` and `_` as standard base64's `+` and `/`; anything else as it is.
fn base64_standard(byte: u8) -> u8 {
    match byte {
        b'-' => b'+',
        b'_' => b'/',
        other => other,
    }
}

/// HTML's named references to characters a token holds (letters and digits have none):
/// base64's, and those every HTML escaper writes (a token in use may hold them).
const NAMED_REFERENCES: [(&[u8], u8); 8] = [
    (b"&plus;", b'+'),
    (b"&sol;", b'/'),
    (b"&equals;", b'='),
    (b"&amp;", b'&'),
    (b"&lt;", b'<'),
    (b"&gt;", b'>'),
    (b"&quot;", b'"'),
    (b"&apos;", b'\''),
];

/// The ASCII character an escape at the start of `text` stands for (in the canonical
/// spelling: `%2D` is `+`, as `-` is), and its length.
fn escaped(text: &[u8]) -> Option<(u8, usize)> {
    escaped_as_written(text).map(|(byte, len)| (base64_standard(byte), len))
}

fn escaped_as_written(text: &[u8]) -> Option<(u8, usize)> {
    let ascii = |value: u32| u8::try_from(value).ok().filter(u8::is_ascii);
    match text {
        [b'%', high, low, ..] => Some((ascii(hex(&[*high, *low])?)?, 3)),
        // `\\` is taken whole, so the `\/` in `\\/` is not mistaken for an escape.
        [b'\\', b'\\', ..] => Some((b'\\', 2)),
        [b'\\', b'/', ..] => Some((b'/', 2)),
        [b'\\', b'"', ..] => Some((b'"', 2)),
        [b'\\', b'u', rest @ ..] => Some((ascii(hex(rest.get(..4)?)?)?, 6)),
        [b'&', b'#', rest @ ..] => {
            let end = rest.iter().take(8).position(|&b| b == b';')?;
            let value = match &rest[..end] {
                [b'x' | b'X', digits @ ..] => hex(digits)?,
                digits => std::str::from_utf8(digits).ok()?.parse().ok()?,
            };
            Some((ascii(value)?, end + 3))
        }
        [b'&', ..] => NAMED_REFERENCES
            .iter()
            .find(|(name, _)| text.starts_with(name))
            .map(|&(name, byte)| (byte, name.len())),
        _ => None,
    }
}

/// The character an escape written with escapes at the start of `text` stands for, and its
/// length: `\\u0063` (`\u0063` once JSON-decoded), `\u00252B` (`%2B`), `\u0026#43;`
/// (`&#43;`). A server that escapes the token and writes the result into a JSON string sends
/// these, and what people are shown is the decoded string, which holds the token escaped
/// once. `None` when `text` does not start with one.
fn escaped_twice(text: &[u8]) -> Option<(u8, usize)> {
    let (first, mut at) = json_unit(text)?;
    if !matches!(first, b'%' | b'&' | b'\\') {
        return None;
    }
    let mut inner = [first; LONGEST_ESCAPE];
    for len in 2..=LONGEST_ESCAPE {
        let (byte, used) = json_unit(&text[at..])?;
        inner[len - 1] = byte;
        at += used;
        if let Some((decoded, whole)) = escaped(&inner[..len]) {
            return (whole == len).then_some((decoded, at));
        }
    }
    None
}

/// [`escaped_twice`] for a JSON escape only (`\\\\` is `\`, `\\\"` is `"`), as a
/// JSON-escaped text written into a JSON string has them.
fn json_escaped_twice(text: &[u8]) -> Option<(u8, usize)> {
    match json_unit(text)? {
        (b'\\', _) => escaped_twice(text),
        _ => None,
    }
}

/// Whether `text` may hold an escape written with escapes ([`escaped_twice`]): one that
/// JSON decoding turns into the start of an escape (`\\`, `\u0025`, `\u0026`, `\u005c`),
/// or a `%` or `&` followed by a JSON escape. Most bodies with escapes have only others
/// (`\u00e9`), and are spared a third reading.
fn may_be_escaped_twice(text: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', text).any(|at| {
        let after = &text[at + 1..];
        let code = after.get(..5).unwrap_or_default();
        after.starts_with(b"\\")
            || [b"u0025", b"u0026", b"u005c"]
                .iter()
                .any(|escape| code.eq_ignore_ascii_case(*escape))
            || at > 0 && matches!(text[at - 1], b'%' | b'&')
    })
}

/// The first character of `text` as JSON decoding leaves it (`\u0025` is `%`), and its
/// length.
fn json_unit(text: &[u8]) -> Option<(u8, usize)> {
    match text {
        [b'\\', ..] => escaped(text).or(Some((b'\\', 1))),
        [byte, ..] => Some((*byte, 1)),
        [] => None,
    }
}

/// Hex digits (either case) as a number; `None` for anything else.
fn hex(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    digits.iter().try_fold(0u32, |value, &digit| {
        Some(value * 16 + char::from(digit).to_digit(16)?)
    })
}

fn replace_runs(text: &[u8], runs: &[Range<usize>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut kept = 0;
    for run in runs {
        out.extend_from_slice(&text[kept..run.start]);
        out.extend_from_slice(REDACTED.as_bytes());
        kept = run.end;
    }
    out.extend_from_slice(&text[kept..]);
    out
}

/// The `--show-http` lines for a request about to be sent.
pub(super) fn request_trace(
    request: &reqwest::Request,
    shown_url: &str,
    body: Option<&[u8]>,
    redactor: &Redactor,
) -> Vec<String> {
    let mut lines = vec![format!("> {} {shown_url}", request.method())];
    for (name, value) in request.headers() {
        lines.push(format!("> {name}: {}", shown_header(name, value, redactor)));
    }
    if let Some(body) = body {
        lines.push(">".to_owned());
        lines.push(format!("> {}", redactor.scrub(&shown_body(body))));
    }
    lines
}

/// The `--show-http` lines for a response. `body` has been scrubbed already (the whole of
/// it, before this cuts it); headers are scrubbed here, names too (a server may echo the
/// token as one).
pub(super) fn response_trace(
    status: reqwest::StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    redactor: &Redactor,
) -> Vec<String> {
    let mut lines = vec![format!("< HTTP {status}")];
    for (name, value) in headers {
        lines.push(format!(
            "< {}: {}",
            redactor.scrub(name.as_str()),
            shown_header(name, value, redactor)
        ));
    }
    if !body.is_empty() {
        lines.push("<".to_owned());
        // Scrubbed again: the body may carry a new token (`full_token`) that `shown_body`
        // cannot find when it is not JSON, and the redactor knows it (see `full_tokens`).
        lines.push(format!("< {}", redactor.scrub(&shown_body(body))));
    }
    lines
}

/// Every `full_token` value a body carries (a token the server has just made), however
/// the body parses: strict JSON or not (`NaN`, trailing data, cut short), the key written
/// plainly or with escapes (`"full\u005ftoken"`). These are secrets from the moment they
/// arrive, so they are found in the text itself, before the body is decoded, traced,
/// quoted in a message or cut, none of which may show them.
///
/// One pass over the string literals: a literal is decoded only when it is short enough
/// to spell the key (at most 6 bytes a character, `\u0066`), so a large body costs a scan
/// for quotes and backslashes.
pub(super) fn full_tokens(body: &[u8]) -> Vec<Secret> {
    const KEY: &str = "full_token";
    const LONGEST_KEY: usize = 2 + 6 * KEY.len();
    let mut found = Vec::new();
    if memchr::memmem::find(body, KEY.as_bytes()).is_none()
        && memchr::memmem::find(body, b"\\u").is_none()
    {
        return found;
    }
    let mut at = 0;
    while let Some(start) = memchr::memchr(b'"', &body[at..]).map(|offset| at + offset) {
        let end = literal_end(body, start);
        at = end;
        let literal = &body[start..end];
        if literal.len() > LONGEST_KEY || decoded(literal).as_deref() != Some(KEY) {
            continue;
        }
        let after = skip_blanks(body, end);
        if body.get(after) != Some(&b':') {
            continue;
        }
        let value_start = skip_blanks(body, after + 1);
        if body.get(value_start) != Some(&b'"') {
            continue;
        }
        let value_end = literal_end(body, value_start);
        at = value_end;
        let value = &body[value_start..value_end];
        // The value as sent and as decoded: either may be what a message shows.
        let inner = value
            .strip_prefix(b"\"")
            .map(|rest| rest.strip_suffix(b"\"").unwrap_or(rest))
            .unwrap_or(value);
        let mut spellings = vec![String::from_utf8_lossy(inner).into_owned()];
        spellings.extend(decoded(value));
        for spelling in spellings {
            // A value already scrubbed (the token in use, echoed) is no new secret.
            let known = spelling.is_empty() || spelling == REDACTED;
            if !known && !found.iter().any(|s: &Secret| s.expose() == spelling) {
                found.push(Secret::new(&spelling));
            }
        }
    }
    found
}

/// Where the string literal that starts at `start` (a quote) ends: after its closing
/// quote, or at the end of the text when it has none.
fn literal_end(text: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while let Some(offset) = memchr::memchr2(b'"', b'\\', &text[at.min(text.len())..]) {
        let hit = at + offset;
        if text[hit] == b'"' {
            return hit + 1;
        }
        at = hit + 2;
    }
    text.len()
}

fn skip_blanks(text: &[u8], mut at: usize) -> usize {
    while text
        .get(at)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        at += 1;
    }
    at
}

/// A JSON string literal's text, decoded; `None` when it is not a whole valid literal.
fn decoded(literal: &[u8]) -> Option<String> {
    serde_json::from_slice::<String>(literal).ok()
}

/// Header values as the trace shows them: credentials and cookies never, anything else
/// scrubbed (a server may echo the token in any header).
fn shown_header(name: &HeaderName, value: &HeaderValue, redactor: &Redactor) -> String {
    use reqwest::header::{COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
    if name == AUTHORIZATION {
        "aivenv1 (redacted)".to_owned()
    } else if [PROXY_AUTHORIZATION, COOKIE, SET_COOKIE].contains(name) {
        REDACTED.to_owned()
    } else {
        String::from_utf8_lossy(&redactor.scrub_bytes(value.as_bytes())).into_owned()
    }
}

/// A body for the trace: JSON with `full_token` values (new secrets) redacted, else the
/// start of its text. JSON longer than any real answer (1 MiB) is only measured: as a tree
/// it could take gigabytes, and cut short it could show a `full_token`.
fn shown_body(body: &[u8]) -> String {
    if body.len() > 1 << 20 && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        return format!("({} bytes of JSON, not shown)", body.len());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => redact_full_tokens(json).to_string(),
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(TRACE_BODY_BYTES)]).into_owned(),
    }
}

fn redact_full_tokens(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(fields) => {
                for (key, field) in fields.iter_mut() {
                    if key == "full_token" && field.is_string() {
                        *field = Value::String(REDACTED.into());
                    } else {
                        walk(field);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// The quick look never misses what the exact scan finds: a piece of the token
        /// (of at least a window, in any spelling) anywhere in any text, and never sees
        /// one in text without.
        #[test]
        fn the_quick_look_agrees_with_the_exact_scan(
            filler in "[a-zA-Z0-9 _:,.\\-\"{}\\[\\]%&\\\\]{0,300}",
            cut in 0usize..300,
            len in 13usize..60,
            spelling in 0usize..8,
            at in 0usize..300,
        ) {
            let token = long_token();
            let secret = &token[cut.min(token.len() - len)..][..len];
            let spelled = match spelling {
                0 => secret.to_owned(),
                1 => secret.replace('+', "-").replace('/', "_"),
                2 => secret.replace('+', "%2b").replace('/', "%2F").replace('=', "%3D"),
                3 => secret.replace('/', "\\/").replace('+', "\\u002B"),
                4 => secret.replace('+', "&#43;").replace('/', "&#x2f;"),
                5 => secret.replace('+', "&plus;").replace('/', "&sol;").replace('=', "&equals;"),
                6 => secret.chars().map(|c| format!("\\\\u{:04x}", u32::from(c))).collect(),
                _ => secret.replace('+', "\\u00252B").replace('/', "\\u0026#47;"),
            };
            let at = at.min(filler.len());
            let at = (0..=at).rev().find(|&i| filler.is_char_boundary(i)).unwrap_or(0);
            let text = format!("{}{}{}", &filler[..at], spelled, &filler[at..]);
            let pattern = Pattern::new(&token).unwrap();
            proptest::prop_assert!(pattern.present(text.as_bytes()), "{}", text);
            proptest::prop_assert!(!pattern.runs_in(text.as_bytes()).is_empty());
            proptest::prop_assert_eq!(
                pattern.present(filler.as_bytes()),
                !pattern.runs_in(filler.as_bytes()).is_empty()
            );
        }
    }

    /// A token shaped like the real ones: 344 characters of base64 with `+`, `/` and `=`
    /// (`tests/it/support/hostile.rs` has a random-looking one; this one only needs no repeats).
    fn long_token() -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut token: String = (0..342)
            .map(|i: usize| char::from(alphabet[(i * 37 + i / 64) % 64]))
            .collect();
        token.push_str("==");
        token
    }

    /// No 16-character piece of the token after its prefix is left in `text`.
    fn assert_no_piece(token: &str, text: &str) {
        let secret = &token.as_bytes()[TOKEN_PREFIX_LEN..];
        for piece in secret.windows(16) {
            let piece = std::str::from_utf8(piece).unwrap();
            assert!(!text.contains(piece), "{piece} left in {text}");
        }
    }

    #[test]
    fn scrub_removes_tokens_raw_and_encoded() {
        let token = Secret::new("abcdefghij+/klmnop=");
        let in_path = Secret::new("XCJ3+bgWywIhFULL/TOKEN==");
        let redactor = Redactor::new(Some(&token), Some(&in_path));
        assert_eq!(
            redactor.scrub("token abcdefghij+/klmnop= (abcdefghij%2B%2Fklmnop%3D) not found"),
            "token (redacted) ((redacted)) not found"
        );
        assert_eq!(
            redactor.scrub("no XCJ3+bgWywIhFULL/TOKEN== here"),
            "no (redacted) here"
        );
    }

    #[test]
    fn every_spelling_and_every_cut_of_the_token_is_scrubbed() {
        let token = long_token();
        let secret = Secret::new(token.as_str());
        let redactor = Redactor::new(Some(&secret), None);
        // The common spellings are checked end to end (tests/it/redaction.rs); these are the
        // escapes' corner cases: mixed case, each escape alone, cuts at odd places.
        let spellings = [
            token[40..].to_owned(),
            token[100..113].to_owned(),
            token.replace('+', "%2b").replace('/', "%2F"),
            token.replace('/', "\\/"),
            token.replace('+', "\\u002B").replace('/', "\\u002f"),
            token.replace('+', "&#43;").replace('/', "&#x2F;"),
            token.replace('+', "-").replace('/', "_")[7..200].to_owned(),
            token.replace('+', "&plus;").replace('/', "&sol;"),
            // Escaped twice, as in a JSON string: `\\u0063`, `\u002563`, `\u0026#99;`.
            token[50..90]
                .chars()
                .map(|c| format!("\\\\u{:04x}", u32::from(c)))
                .collect(),
            token[90..130]
                .chars()
                .map(|c| format!("\\u0025{:02x}", u32::from(c)))
                .collect(),
            token[130..170]
                .chars()
                .map(|c| format!("\\u0026#{};", u32::from(c)))
                .collect(),
        ];
        for spelling in &spellings {
            let scrubbed = redactor.scrub(&format!("before {spelling} after"));
            assert!(scrubbed.starts_with("before "), "{scrubbed}");
            assert!(scrubbed.ends_with(" after"), "{scrubbed}");
            assert_no_piece(&token, &scrubbed);
        }
        // The public prefix alone stays: list output and messages name tokens by it.
        let prefix = &token[..TOKEN_PREFIX_LEN];
        assert_eq!(redactor.scrub(prefix), prefix);
        // So does ordinary text, and nothing is copied when nothing is found.
        assert!(matches!(
            redactor.scrub_bytes(b"Invalid token - try again_later"),
            Cow::Borrowed(_)
        ));
    }

    /// A run that begins inside what reads as an escape (`%4` + `fFq…` is `O` + `Fq…`) and
    /// holds a real escape further on (so the text read as written misses it too).
    #[test]
    fn a_run_that_begins_inside_an_escape_is_found() {
        let token = long_token();
        let redactor = Redactor::new(Some(&Secret::new(token.as_str())), None);
        // A piece of one window that starts with a hex digit and holds a `+`.
        let plus = token
            .match_indices('+')
            .map(|(at, _)| at)
            .find(|&at| token.as_bytes()[at - 6].is_ascii_hexdigit())
            .unwrap();
        let piece = &token[plus - 6..plus + 7];
        assert_eq!(piece.len(), WINDOW);
        for before in ["%4", "x%0", "%7", "\\u004", "\\\\u004"] {
            let text = format!("{before}{}", piece.replace('+', "%2b"));
            let scrubbed = redactor.scrub(&text);
            assert!(!scrubbed.contains(&piece[1..6]), "{text}: {scrubbed}");
        }
    }

    #[test]
    fn scrubbing_keeps_json_valid() {
        let token = long_token();
        let secret = Secret::new(token.as_str());
        let redactor = Redactor::new(Some(&secret), None);
        let body = serde_json::json!({"message": format!("bad {token}"), "a\\/b": "x\\/y"});
        let bytes = serde_json::to_vec(&body).unwrap();
        let scrubbed = redactor.scrub_bytes(&bytes);
        let back: Value = serde_json::from_slice(&scrubbed).unwrap();
        assert_eq!(back["message"], "bad (redacted)");
        assert_eq!(back["a\\/b"], "x\\/y");
    }

    /// Tokens are printable ASCII, so one in use (a sandbox's `--token`, a test's) may hold
    /// the characters escapes start with. The scrub still ends, and finds the token raw and
    /// in each spelling an echo gives it: JSON-escaped, percent-encoded, HTML-escaped.
    #[test]
    fn a_token_holding_escape_characters_is_scrubbed() {
        let tokens = [
            "percent%token%2B%zz%%done-0123",
            "back\\slash\\u00zz\\token\\",
            "amp&token&amp;&#43;&plus;&#x;end",
            "mixed%26\\u0026&#37;\"quoted\"<tag>'s",
            "%%%%%%%%%%%%%%%%%%%%",
            r"\\\\\\\\\\\\\\\\\\\\",
            "&&&&&&&&&&&&&&&&&&&&",
        ];
        let percent = |token: &str| -> String {
            token
                .bytes()
                .map(|byte| match byte {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => char::from(byte).to_string(),
                    other => format!("%{other:02X}"),
                })
                .collect()
        };
        let html = |token: &str| {
            token
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        };
        // A scrub that never ends fails here (after a wait no scrub comes near) instead of
        // hanging the suite.
        let (done, finished) = std::sync::mpsc::channel();
        let checks = std::thread::spawn(move || {
            for token in tokens {
                check(token, &percent(token), &html(token));
            }
            let _ = done.send(());
        });
        let ended = finished.recv_timeout(std::time::Duration::from_secs(120));
        assert!(
            ended.is_ok() || checks.is_finished(),
            "the scrub did not end"
        );
        checks.join().unwrap();

        fn check(token: &str, percent: &str, html: &str) {
            let redactor = Redactor::new(Some(&Secret::new(token)), None);
            let json = serde_json::to_string(token).unwrap();
            for spelling in [token, &json[1..json.len() - 1], percent, html] {
                let scrubbed = redactor.scrub(&format!("before {spelling} after"));
                assert_eq!(
                    scrubbed, "before (redacted) after",
                    "{token:?} as {spelling:?}"
                );
            }
            // Text made of the same characters, but not the token, is left alone.
            let near = format!("{}x{}", &token[..6], &token[6..9]);
            assert_eq!(redactor.scrub(&near), near, "{token:?}");
        }
    }

    #[test]
    fn odd_escapes_never_panic() {
        let secret = Secret::new("abcdefghijklmnop");
        let redactor = Redactor::new(Some(&secret), None);
        for text in [
            "%",
            "%4",
            "%zz",
            "\\u12",
            "\\u",
            "&#",
            "&#;",
            "&#x;",
            "&#99999999999;",
            "é%C3%A9",
        ] {
            assert_eq!(redactor.scrub(text), text);
        }
    }

    #[test]
    fn full_tokens_are_redacted_in_traces() {
        let body = br#"{"full_token": "secret", "tokens": [{"full_token": "s2"}]}"#;
        let shown = shown_body(body);
        assert!(
            !shown.contains("secret") && !shown.contains("s2"),
            "{shown}"
        );
    }
}
