/**
 * Go's strconv.ParseFloat(s, 64), which Flux's numerical policy applies to every tag
 * (fluxcd/image-reflector-controller internal/policy/numerical.go `Latest`): decimal and
 * hexadecimal (`0x1p-2`, exponent required) forms, an optional sign, `inf`/`infinity`/`nan` in
 * any case, underscores only after a base prefix. A value out of range is an error (ErrRange), as
 * a malformed one is. Returns undefined where Go returns an error.
 */

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX = /^([+-]?)0[xX]((?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F]_?)*))?[pP]([+-]?[0-9](?:_?[0-9])*)$/;

function special(s: string): number | undefined {
  let sign = 1;
  let rest = s;
  if (rest[0] === '+' || rest[0] === '-') {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
    // strconv's special(): a sign may precede inf/infinity but not nan.
    const l = rest.toLowerCase();
    return l === 'inf' || l === 'infinity' ? sign * Number.POSITIVE_INFINITY : undefined;
  }
  const l = rest.toLowerCase();
  if (l === 'inf' || l === 'infinity') return Number.POSITIVE_INFINITY;
  if (l === 'nan') return Number.NaN;
  return undefined;
}

export function parseGoFloat(s: string): number | undefined {
  if (s.length === 0) return undefined;
  const sp = special(s);
  if (sp !== undefined) return sp;
  if (DECIMAL.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  const h = HEX.exec(s);
  if (h) {
    const intDigits = h[2].replaceAll('_', '');
    const fracDigits = (h[3] ?? '').replaceAll('_', '');
    if (intDigits.length + fracDigits.length === 0) return undefined;
    const mantissa = BigInt(`0x${intDigits}${fracDigits}`);
    const exp = Number(h[4].replaceAll('_', '')) - 4 * fracDigits.length;
    const n = Number(mantissa) * 2 ** exp;
    if (!Number.isFinite(n) || Number.isNaN(n)) return mantissa === 0n ? 0 : undefined;
    return h[1] === '-' ? -n : n;
  }
  return undefined;
}
