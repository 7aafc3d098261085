/** The tests use the same moto launcher as the rehearsal. */
export {
  clientConfig,
  type Moto,
  type MotoClientConfig,
  resetMoto,
  startMoto,
} from '../../cli/moto.ts';
