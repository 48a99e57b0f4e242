/** Net names are unique per process, as in Caffe2: "train", then "train_1", "train_2", … */
const used = new Set<string>();

/** Reserves and returns a unique net name based on `base`. */
export function uniqueNetName(base: string): string {
  let name = base;
  for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}
