import { Fn, Op, Token } from "cdktf";

// CDKTF 0.21 renders falsy operands ("" and 0) of Op.* as `undefined`, so emptiness is tested as length >= 1.

/** Expression that is true when a string variable is not empty. */
export function isSet(value: string): unknown {
  return Op.gte(Fn.lengthOf(value), 1);
}

/** A count of 1 when a string variable is not empty, else 0 (for resources that exist only when it is set). */
export function whenSet(value: string): number {
  return Token.asNumber(Fn.conditional(isSet(value), 1, 0));
}
