/** The middle value of `xs` (the upper one of the two middles for an even count); NaN when there is none. */
export const median = (xs: readonly number[]): number =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : Number.NaN;
