// Where the real speech that the reports, the benches and the tests read lives: the
// shared/data folder beside the repository, read in place and never copied in (each of its
// folders has a README with the data's source and licence).

import { join } from 'node:path';

export const SHARED_DATA = join(import.meta.dirname, '../../shared/data');
/** The Free Spoken Digit Dataset: three speakers, 10 digits × 50 takes (CC BY-SA 4.0). */
export const FSDD = join(SHARED_DATA, 'fsdd');
