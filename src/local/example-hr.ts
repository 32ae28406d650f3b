import { fixtureEmployees, fixtureOffices, type FixtureRow, type HrData } from './seed-hr.js';

/**
 * The HR database that goes with the shipped example: the configuration in `desired-state/`
 * (scope `example.no`, its overrides name Søren Ærø, Ståle Kråkenes and the Tromsø office) and the
 * simulator's bundled seed (`src/sim/seeds/example.yaml`, whose users are these people with some
 * drift). `roster sim --hr` serves it, so the README's walkthrough runs on a fresh clone.
 *
 * What a plan finds, on purpose: stale titles, a moved employee, a missing phone, signatures never
 * set; Frøydis Ødegård has no account (unmatched), Ola Nordmann is synced from on-premises AD,
 * Gøril Strøm is found by a proxy address, Ståle Kråkenes is excluded by an override and Ingrid
 * Håland is no longer active. No photo URLs: the example's photo hosts are not on this machine.
 * The data has no errors, so `roster validate` passes.
 */
export function exampleHrData(): HrData {
  const d = 'example.no';
  const offices = fixtureOffices(d);
  // prettier-ignore
  const rows: FixtureRow[] = [
    [1, 1, 'Søren', 'Ærø', `soren.aero@${d}`, 'Seniorrådgiver', '+47 912 34 567', 'active'],
    [2, 1, 'Åse', 'Mæland', `ase.maeland@${d}`, 'Prosjektleder', '987 65 432', 'active'],
    [3, 2, 'Bjørn', 'Økland', `bjorn.okland@${d}`, 'Systemutvikler', '41234567', 'active'],
    [4, 2, 'Øystein', 'Løvås', `oystein.lovas@${d}`, 'Rådgiver', null, 'active'],
    [5, 3, 'Kåre', 'Sæther', `kare.saether@${d}`, 'Daglig leder', '+4790011223', 'active'],
    [6, 1, 'Ingrid', 'Håland', `ingrid.haland@${d}`, 'Økonomisjef', '+47 934 56 789', 'inactive'],
    [7, 1, 'Gøril', 'Strøm', `goril.strom@${d}`, 'Jurist', '+47 480 01 234', 'active'],
    [8, null, 'Ståle', 'Kråkenes', `stale.krakenes@${d}`, 'Driftstekniker', '+47 466 77 889', 'active'],
    [9, 2, 'Frøydis', 'Ødegård', `froydis.odegard@${d}`, 'Markedsfører', '+47 917 00 000', 'active'],
    [10, 3, 'Ola', 'Nordmann', `ola.nordmann@${d}`, 'Lærling', '915 55 123', 'active'],
  ];
  return { offices, employees: fixtureEmployees(rows, () => null) };
}
