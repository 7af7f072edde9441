/** Words as a POSIX shell needs them, for the commands dora prints to be pasted (resolve hints, dry runs). */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.:,/@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
