/** Words as a POSIX shell needs them, for the commands dora prints to be pasted (resolve hints, dry runs). */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.:,/@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Options given as flag and value pairs (`['--site', 'datadoghq.eu']`), as words to append to a printed command. */
export function shellOptions(pairs: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) words.push(`${pairs[i]} ${shellQuote(pairs[i + 1] as string)}`);
  return words;
}
