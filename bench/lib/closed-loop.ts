/**
 * The closed loop every sender benchmark drives its client with (h2load's `-m`): `inFlight`
 * notifications open at once, the next started as soon as one is answered, until `count` have been.
 */
export async function closedLoop(count: number, inFlight: number, sendOne: (index: number) => Promise<boolean>): Promise<number> {
  let started = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started < count) {
        if (await sendOne(started++)) ok++;
      }
    }),
  );
  return ok;
}
