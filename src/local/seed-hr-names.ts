/**
 * Word lists for the HR fixture generator: Norwegian names (with æ, ø and å on purpose, since
 * they are what breaks email derivation and encodings), titles and office locations.
 */

// prettier-ignore
export const FIRST_NAMES: readonly string[] = [
  'Søren', 'Åse', 'Bjørn', 'Øystein', 'Kåre', 'Ingrid', 'Ola', 'Kari', 'Håkon', 'Ståle',
  'Sigrid', 'Mette', 'Jørgen', 'Marit', 'Tor', 'Astrid', 'Trond', 'Gøril', 'Frøydis', 'Åsmund',
  'Bjørg', 'Torbjørn', 'Solveig', 'Pål', 'Eirik', 'Liv', 'Nils', 'Hege', 'Siv', 'Dag',
  'Kjell', 'Rønnaug', 'Jens', 'Randi', 'Knut', 'Anne-Lise', 'Lars', 'Ragnhild', 'Bård', 'Gunnhild',
  'Svein', 'Tove', 'Geir', 'Wenche', 'Arne', 'Berit', 'Vegard', 'Ingvild', 'Espen', 'Hanne',
  'Magnus', 'Nora', 'Emma', 'Jakob', 'Aksel', 'Ella', 'Filip', 'Maja', 'Øyvind', 'Tormod',
  'Jøran', 'Gry', 'Sølvi', 'Ådne', 'Hallvard', 'Aslaug', 'Mari', 'Henrik', 'Synnøve', 'Amir',
];

// prettier-ignore
export const LAST_NAMES: readonly string[] = [
  'Ærø', 'Mæland', 'Sæther', 'Løvås', 'Økland', 'Ødegård', 'Håland', 'Bråten', 'Strøm', 'Sørensen',
  'Lægreid', 'Kråkenes', 'Aasen', 'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen',
  'Kristiansen', 'Jensen', 'Karlsen', 'Johnsen', 'Pettersen', 'Eriksen', 'Berg', 'Haugen', 'Hagen', 'Dahl',
  'Jørgensen', 'Halvorsen', 'Henriksen', 'Lund', 'Sørli', 'Moen', 'Gundersen', 'Iversen', 'Strand', 'Solberg',
  'Svendsen', 'Eide', 'Knutsen', 'Martinsen', 'Bakken', 'Mathisen', 'Lie', 'Amundsen', 'Nguyen', 'Rasmussen',
  'Lunde', 'Solheim', 'Berge', 'Moe', 'Nygård', 'Bakke', 'Holm', 'Lien', 'Hauge', 'Næss',
  'Vik', 'Rønning', 'Birkeland', 'Myklebust', 'Tangen', 'Helland', 'Bøe', 'Aune', 'Grønli', 'Kvåle',
  'Tveit', 'Fjærli', 'Sandvik', 'Ruud', 'Åsheim', 'Brække', 'Hætta', 'Haugland', 'Vågen', 'Skjærvø',
];

// prettier-ignore
export const TITLES: readonly string[] = [
  'Rådgiver', 'Seniorrådgiver', 'Prosjektleder', 'Avdelingsleder', 'Økonomisjef', 'Regnskapsfører',
  'Systemutvikler', 'Seniorutvikler', 'IT-konsulent', 'Salgssjef', 'Kundeansvarlig', 'Markedsfører',
  'HR-rådgiver', 'Daglig leder', 'Controller', 'Jurist', 'Arkitekt', 'Ingeniør', 'Lærling',
  'Kontormedarbeider', 'Produktsjef', 'Designer', 'Driftstekniker', 'Innkjøper', 'Kommunikasjonsrådgiver',
];

/** Cities in the order offices are opened; each has districts so more offices than cities still read well. */
export const CITIES: readonly {
  city: string;
  postalCode: string;
  areaCode: string;
  districts: readonly { name: string; street: string }[];
}[] = [
  {
    city: 'Oslo',
    postalCode: '0150',
    areaCode: '22',
    districts: [
      { name: 'Sentrum', street: 'Karl Johans gate 12' },
      { name: 'Nydalen', street: 'Nydalsveien 28' },
      { name: 'Skøyen', street: 'Karenslyst allé 53' },
      { name: 'Økern', street: 'Økernveien 145' },
    ],
  },
  {
    city: 'Bergen',
    postalCode: '5003',
    areaCode: '55',
    districts: [
      { name: 'Bryggen', street: 'Bryggen 15' },
      { name: 'Åsane', street: 'Åsane senter 34' },
      { name: 'Sandsli', street: 'Sandslimarka 251' },
    ],
  },
  {
    city: 'Trondheim',
    postalCode: '7011',
    areaCode: '73',
    districts: [
      { name: 'Midtbyen', street: 'Munkegata 22' },
      { name: 'Lade', street: 'Haakon VIIs gate 9' },
    ],
  },
  {
    city: 'Stavanger',
    postalCode: '4006',
    areaCode: '51',
    districts: [
      { name: 'Sentrum', street: 'Kirkegata 7' },
      { name: 'Forus', street: 'Lagerveien 4' },
    ],
  },
  {
    city: 'Tromsø',
    postalCode: '9008',
    areaCode: '77',
    districts: [
      { name: 'Sentrum', street: 'Storgata 98' },
      { name: 'Breivika', street: 'Sykehusveien 23' },
    ],
  },
  {
    city: 'Kristiansand',
    postalCode: '4611',
    areaCode: '38',
    districts: [
      { name: 'Kvadraturen', street: 'Markens gate 19' },
      { name: 'Sørlandsparken', street: 'Barstølveien 50' },
    ],
  },
];
