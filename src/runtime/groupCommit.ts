import fs from 'node:fs';

/**
 * Several files replaced as one. Each file is written beside itself (`<file>.next`); a journal
 * naming them is then put in place with a rename (the commit point), the files are renamed over
 * the old ones, and the journal goes. After a kill at any line, `recoverGroup` (run before the
 * files are read) leaves either every old content or every new one.
 *
 * Written here because the atomic-write packages (write-file-atomic, and LokiJS's own save, a
 * temporary file and a rename) make one file atomic, and Azurite's stores are three files that
 * refer to each other: a table snapshot newer than the queue snapshot loses the messages sent
 * before the table writes it holds. No fsync: this guards against a killed process (the kernel
 * still writes its page cache), not a lost machine.
 */
export interface GroupFile {
  file: string;
  text: string;
}

/** The steps of a commit, for tests that stop one at a given line as a kill would. */
export type CommitStep = 'written' | 'committed' | 'renamed';

export async function commitGroup(
  journal: string,
  files: GroupFile[],
  afterStep: (step: CommitStep, index?: number) => void = () => undefined,
): Promise<void> {
  // A journal left by a commit whose last step failed would make a recovery roll half-written
  // files forward: it goes before anything new is written.
  await fs.promises.rm(journal, { force: true });
  await Promise.all(files.map((f) => fs.promises.writeFile(`${f.file}.next`, f.text)));
  afterStep('written');
  await fs.promises.writeFile(`${journal}~`, JSON.stringify(files.map((f) => f.file)));
  await fs.promises.rename(`${journal}~`, journal);
  afterStep('committed');
  for (const [i, f] of files.entries()) {
    await fs.promises.rename(`${f.file}.next`, f.file);
    afterStep('renamed', i);
  }
  await fs.promises.rm(journal, { force: true });
}

/**
 * Finishes a committed group (renames what is left) or discards one that never reached its
 * commit point (its `.next` files), for the files a commit may have touched.
 */
export function recoverGroup(journal: string, files: string[]): 'rolled forward' | 'discarded' | 'clean' {
  // a journal still being written never reached the commit point
  fs.rmSync(`${journal}~`, { force: true });
  if (fs.existsSync(journal)) {
    for (const file of JSON.parse(fs.readFileSync(journal, 'utf8')) as string[])
      if (fs.existsSync(`${file}.next`)) fs.renameSync(`${file}.next`, file);
    fs.rmSync(journal, { force: true });
    return 'rolled forward';
  }
  let discarded = false;
  for (const file of files) {
    if (!fs.existsSync(`${file}.next`)) continue;
    fs.rmSync(`${file}.next`, { force: true });
    discarded = true;
  }
  return discarded ? 'discarded' : 'clean';
}
