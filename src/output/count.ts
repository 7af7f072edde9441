/** `1 deployment`, `3 deployments`: a number with its noun, for English messages (regular plurals only). */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
