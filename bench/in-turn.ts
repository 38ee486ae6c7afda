/**
 * One pair's two measurements, back to back: `one` first in even pairs, `other` first in odd ones, so neither side
 * always finds the machine (and the local services the other has just warmed) as the other left it.
 */
export const inTurn = async <A, B>(pair: number, one: () => Promise<A>, other: () => Promise<B>): Promise<[A, B]> => {
  if (pair % 2 === 0) {
    const first = await one();
    return [first, await other()];
  }
  const first = await other();
  return [await one(), first];
};
