/** Collects a run's readable output in memory (self-tests assert on it). */
export function captureOutput(): { write(text: string): boolean; readonly text: string } {
  let text = "";
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}
