// Linted only by ci/lint/lint-rules.test.ts (eslint.config.js ignores it): the line after each
// "expect" comment breaks that rule of npm run lint, so the test proves the rules run with type
// information.
type Shape = { kind: "circle"; r: number } | { kind: "square"; side: number };

async function save(): Promise<void> {}

export function floating(): void {
  // expect: no-floating-promises
  save();
}

export async function awaitsAValue(): Promise<number> {
  // expect: await-thenable
  return await 1;
}

export function area(shape: Shape): number {
  // expect: switch-exhaustiveness-check
  switch (shape.kind) {
    case "circle":
      return Math.PI * shape.r ** 2;
  }
  return 0;
}

export function handled(): void {
  void save();
  save().catch(() => undefined);
}
