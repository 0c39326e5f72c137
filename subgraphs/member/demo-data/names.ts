import type { MemberState } from '../../../common/member-states.ts';
import type { Random } from './random.ts';

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

interface Origin {
  /** Nationalities of the origin (ISO alpha-2); RU for Chechens. */
  countries: string[];
  male: string[];
  female: string[];
  family: string[];
}

export const W = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const ORIGINS: Record<string, Origin> = {
  ma: {
    countries: ['MA'],
    male: W(
      'Mohamed, Mohammed, Youssef, Hamza, Bilal, Anouar, Karim, Abdelkader, Mustafa, Rachid, Nordin, Ayoub, Ilias, Soufiane, Zakaria, Mehdi, Othman, Abdelilah, Redouane, Khalid, Said, Hicham, Nabil, Tarik, Jamal, Ismail, Abdelaziz, Driss, Mourad, Adil, Yassin, Badr',
    ),
    female: W('Fatima, Khadija, Nadia, Samira, Latifa, Houda, Imane, Salma, Meryem, Loubna, Naima, Zineb, Hanane, Ikram, Sara'),
    family: W(
      'El Amrani, Bakkali, Benali, Bouzid, El Idrissi, Ouali, Chaouki, Ait Taleb, El Khattabi, Boujemaa, Lahlou, Bennani, Tahiri, El Ouahabi, Zerrouki, Aarab, Haddouchi, Benhaddou, Akhrif, Boukhari, Chentouf, Ziani, Amrani, El Ghazi, Touzani, Belhadj, Achahbar, Ouazzani, El Haddaoui, Bouchtaoui, Ait Ouarab, Mesbahi',
    ),
  },
  dz: {
    countries: ['DZ'],
    male: W(
      'Abdelkader, Djamel, Farid, Mourad, Nassim, Sofiane, Walid, Yacine, Amine, Riad, Lyes, Rabah, Smail, Kamel, Hocine, Toufik, Salim, Nadir, Fayçal, Abderrahmane',
    ),
    female: W('Amel, Nassima, Lamia, Souad, Wassila, Yasmina, Kahina, Dalila, Lila'),
    family: W(
      'Benyahia, Hamidi, Khelifi, Saadi, Mansouri, Bouchareb, Zeghdoudi, Benaissa, Cherif, Guendouz, Boukhalfa, Djebbar, Ferhat, Meziane, Rahmani, Slimani, Yahiaoui, Belkacem, Aouadi, Kaci, Ouchène, Hadjadj, Lounes, Bensalem',
    ),
  },
  tn: {
    countries: ['TN'],
    male: W('Aymen, Bassem, Chokri, Hichem, Houssem, Marouane, Oussama, Seifeddine, Wael, Yassine, Zied, Skander, Mehrez, Ghassen, Anouar, Fethi'),
    female: W('Amira, Ines, Rim, Sonia, Olfa, Wafa, Meriem, Asma'),
    family: W(
      'Ben Salah, Jaziri, Gharbi, Hammami, Mejri, Ayari, Chaabane, Dridi, Ferchichi, Hamdi, Khemiri, Mbarki, Saidi, Zouari, Ben Romdhane, Ben Youssef, Sassi, Louati, Baccouche, Ben Amor',
    ),
  },
  sy: {
    countries: ['SY'],
    male: W(
      'Ahmad, Omar, Khaled, Abdulrahman, Mahmoud, Yasser, Bassel, Firas, Hussam, Majd, Muhannad, Nizar, Tamer, Wassim, Ziad, Ammar, Osama, Hamoud, Rami, Ghaith',
    ),
    female: W('Rania, Hiba, Lina, Nour, Reem, Yara, Ghada, Dima, Rasha'),
    family: W(
      'Al-Halabi, Al-Hamwi, Al-Homsi, Haddad, Al-Shami, Darwish, Kassab, Mardini, Al-Ahmad, Al-Ali, Hamdan, Qassem, Al-Masri, Shaker, Sabbagh, Al-Khatib, Kanaan, Najjar, Zein, Al-Jasem, Al-Hussein, Barakat, Al-Deiri',
    ),
  },
  iq: {
    countries: ['IQ'],
    male: W('Ali, Hussein, Mustafa, Haider, Abbas, Karrar, Saif, Ahmed, Yaseen, Bakr, Sarmad, Laith, Zaid, Mohanad, Omar'),
    female: W('Zainab, Maryam, Shaymaa, Hanan, Aseel, Noor'),
    family: W(
      'Al-Obaidi, Al-Jubouri, Al-Dulaimi, Al-Rubaie, Al-Saadi, Al-Zubaidi, Al-Kubaisi, Al-Hashimi, Al-Mashhadani, Al-Timimi, Al-Khafaji, Kareem, Hamad, Al-Shammari, Al-Azzawi, Al-Janabi',
    ),
  },
  tr: {
    countries: ['TR'],
    male: W('Mehmet, Mustafa, Ahmet, Emre, Burak, Murat, Serkan, Hakan, Ömer, Yusuf, Furkan, Enes, Kerem, Oğuz, Volkan, İbrahim, Halil, Selim, Cem, Tolga'),
    female: W('Ayşe, Elif, Zeynep, Merve, Esra, Büşra, Hatice, Emine'),
    family: W(
      'Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Öztürk, Aydın, Arslan, Doğan, Kılıç, Aslan, Çetin, Koç, Kurt, Özdemir, Polat, Erdem, Güneş, Akın, Tekin, Korkmaz',
    ),
  },
  ba: {
    countries: ['BA'],
    male: W('Armin, Edin, Emir, Haris, Adnan, Amel, Mirza, Nermin, Senad, Jasmin, Kenan, Dženan, Almir, Samir, Adis, Tarik, Mersed, Enes, Hamza'),
    female: W('Amra, Lejla, Selma, Emina, Ajla, Merima, Aida'),
    family: W(
      'Hodžić, Hadžić, Mehmedović, Delić, Kovačević, Husić, Omerović, Hasanović, Muratović, Alić, Salihović, Begić, Mujić, Osmanović, Šehić, Čaušević, Bešić, Dedić, Spahić, Karić, Zukić, Mahmutović',
    ),
  },
  al: {
    countries: ['AL', 'MK'],
    male: W('Arben, Besnik, Blerim, Driton, Fatmir, Gëzim, Ilir, Kushtrim, Lavdrim, Mentor, Valon, Visar, Agron, Bujar, Shpend, Ardit, Florent, Labinot'),
    female: W('Arta, Besa, Drita, Fjolla, Mimoza, Lirije'),
    family: W('Krasniqi, Gashi, Shala, Morina, Bytyqi, Kelmendi, Rexhepi, Hyseni, Selimi, Avdiu, Islami, Zeqiri, Ahmeti, Sylejmani, Kryeziu, Veseli, Musliu'),
  },
  ce: {
    countries: ['RU'],
    male: W(
      'Magomed, Akhmed, Islam, Ruslan, Movsar, Adam, Aslan, Khamzat, Ibragim, Shamil, Umar, Rizvan, Turpal, Beslan, Timur, Mansur, Abdul-Kerim, Said-Magomed',
    ),
    female: W('Kheda, Zarema, Madina, Aminat, Petimat, Seda, Luiza, Malika'),
    family: W(
      'Magomadov, Israilov, Akhmadov, Bisultanov, Gairbekov, Yusupov, Elmurzaev, Temirkhanov, Aliev, Vakhidov, Saidulaev, Edilsultanov, Khasanov, Mutsaev, Baysarov, Gekhaev, Tsakaev, Mezhidov, Sultygov',
    ),
  },
  so: {
    countries: ['SO'],
    male: W('Abdirahman, Abdullahi, Mohamed, Abdiweli, Hassan, Ahmed, Bashir, Liban, Mahad, Yusuf, Khalif, Abdikarim, Guled'),
    female: W('Hodan, Ifrah, Sahra, Hibo, Fartun, Deqa'),
    family: W('Warsame, Farah, Ali, Hassan, Omar, Abdi, Jama, Aden, Mohamud, Nur, Osman, Yusuf, Egal, Dualeh, Guleid, Abdulle'),
  },
  af: {
    countries: ['AF', 'PK'],
    male: W(
      'Abdul Wahid, Ahmad Shah, Ghulam, Habibullah, Jawad, Mirwais, Naqibullah, Rahmatullah, Sayed, Wahidullah, Zabiullah, Imran, Usman, Bilal, Faisal, Hamid, Kamran',
    ),
    female: W('Farzana, Mariam, Shabnam, Parwin, Zarghona'),
    family: W(
      'Ahmadzai, Hakimi, Karimi, Mohammadi, Noori, Popal, Rahimi, Safi, Sultani, Wardak, Stanikzai, Niazi, Qureshi, Chaudhry, Malik, Khan, Mirza, Shinwari',
    ),
  },
  uz: {
    countries: ['UZ', 'TJ'],
    male: W('Akmal, Bekzod, Dilshod, Farrukh, Jasur, Otabek, Sardor, Sherzod, Ulugbek, Rustam, Jamshid, Davron, Nodir'),
    female: W('Dilnoza, Nigora, Zarina, Madina'),
    family: W('Abdullaev, Rakhimov, Tursunov, Nazarov, Saidov, Ergashev, Mirzaev, Kholmatov, Usmonov, Sobirov, Tojiboev, Khodjaev, Alimov'),
  },
};

/** Names of persons born in Europe without a migration background (converts, right-wing extremists...). */
export const EUROPEAN: Record<string, Omit<Origin, 'countries'>> = {
  nl: {
    male: W('Jeroen, Sander, Bas, Thijs, Joris, Rick, Dennis, Kevin, Stefan, Maarten, Niels, Ruben, Tim, Jesse'),
    female: W('Sanne, Lisa, Anouk, Femke, Iris, Marloes, Esther'),
    family: W(
      'de Vries, Jansen, van den Berg, Bakker, Visser, Smit, Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Dijk, Kok, Verhoeven, Dekker',
    ),
  },
  be: {
    male: W('Jonas, Wouter, Pieter, Kenneth, Brecht, Jelle, Sven, Maxime, Gilles, Arnaud, Quentin, Jérôme'),
    female: W('Lotte, Elien, Jolien, Manon, Aurélie, Charlotte'),
    family: W('Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Wouters, De Smet, Dubois, Lambert, Dupont, Lemaire, Renard, Vermeulen'),
  },
  fr: {
    male: W('Julien, Thomas, Kévin, Maxime, Romain, Nicolas, Jérémy, Anthony, Sébastien, Florian, Mickaël, Alexandre, Damien'),
    female: W('Émilie, Camille, Laura, Céline, Pauline, Mélanie, Justine'),
    family: W(
      'Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent, Lefèvre, Michel, Fournier, Girard, Roux, Vincent, Faure, Mercier, Blanc, Guérin',
    ),
  },
  de: {
    male: W('Lukas, Dennis, Marcel, Sascha, Kevin, Tobias, Florian, Christian, Sven, Patrick, Jan, Daniel, Philipp, Niklas, Jürgen, Matthias'),
    female: W('Laura, Julia, Sarah, Katharina, Lena, Jessica, Sandra, Nadine'),
    family: W(
      'Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger, Huber, Gruber, Pichler',
    ),
  },
  es: {
    male: W('Javier, Sergio, David, Alejandro, Daniel, Pablo, Adrián, Álvaro, Iván, Rubén, Óscar, Raúl'),
    female: W('Lucía, María, Laura, Cristina, Marta, Paula'),
    family: W(
      'García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero',
    ),
  },
  it: {
    male: W('Marco, Luca, Andrea, Giuseppe, Francesco, Alessandro, Matteo, Davide, Simone, Stefano'),
    female: W('Giulia, Chiara, Francesca, Sara, Valentina'),
    family: W('Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti, De Luca, Costa, Mancini, Giordano'),
  },
  pt: {
    male: W('João, Pedro, Tiago, Rui, Nuno, Bruno'),
    female: W('Ana, Inês, Catarina'),
    family: W('Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins'),
  },
  nordic: {
    male: W('Johan, Erik, Anders, Mikael, Jonas, Oskar, Viktor, Mads, Rasmus, Kasper, Mikko, Juha'),
    female: W('Emma, Sara, Ida, Maja, Johanna, Freja'),
    family: W('Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsen, Hansen, Jensen, Nielsen, Pedersen, Korhonen, Virtanen, Lindqvist, Berg'),
  },
  ie: {
    male: W('Seán, Conor, Patrick, Ciarán, Darragh'),
    female: W('Aoife, Siobhán, Niamh'),
    family: W("Murphy, Kelly, O'Sullivan, Walsh, O'Brien, Byrne, Ryan"),
  },
  mt: { male: W('Joseph, Mark, Daniel, Clayton'), female: W('Maria, Rebecca'), family: W('Borg, Camilleri, Vella, Farrugia, Zammit, Galea') },
  gr: {
    male: W('Giorgos, Dimitris, Nikos, Kostas, Andreas, Christos'),
    female: W('Eleni, Maria, Katerina'),
    family: W('Papadopoulos, Georgiou, Nikolaidis, Oikonomou, Christodoulou, Ioannou'),
  },
  east: {
    male: W('Tomasz, Marek, Piotr, Jakub, Ondřej, Tomáš, Gábor, László, Andrei, Mihai, Ivan, Georgi, Luka, Marko, Tomas, Andris, Martin'),
    female: W('Anna, Katarzyna, Petra, Eszter, Ioana, Elena, Ivana, Kristina'),
    family: W(
      'Nowak, Kowalski, Wiśniewski, Novák, Svoboda, Horváth, Nagy, Kovács, Popescu, Ionescu, Dimitrov, Petrov, Horvat, Kovačić, Novak, Kazlauskas, Bērziņš, Tamm',
    ),
  },
};
export const EUROPEAN_POOL: Record<MemberState, string> = {
  NL: 'nl',
  BE: 'be',
  FR: 'fr',
  LU: 'fr',
  DE: 'de',
  AT: 'de',
  ES: 'es',
  IT: 'it',
  PT: 'pt',
  SE: 'nordic',
  DK: 'nordic',
  FI: 'nordic',
  IE: 'ie',
  MT: 'mt',
  GR: 'gr',
  CY: 'gr',
  BG: 'east',
  CZ: 'east',
  EE: 'east',
  HR: 'east',
  HU: 'east',
  LT: 'east',
  LV: 'east',
  PL: 'east',
  RO: 'east',
  SI: 'east',
  SK: 'east',
};

/** A key of ORIGINS, or 'european' (a European-born subject). */
export type OriginKey = string;
export const DEFAULT_ORIGIN_WEIGHTS: Record<OriginKey, number> = {
  european: 22,
  ma: 12,
  dz: 8,
  tn: 7,
  sy: 10,
  iq: 8,
  tr: 8,
  ba: 6,
  al: 5,
  ce: 6,
  so: 3,
  af: 3,
  uz: 2,
};
export const ORIGIN_WEIGHTS: Partial<Record<MemberState, Partial<Record<OriginKey, number>>>> = {
  NL: { european: 20, ma: 25, tr: 12, sy: 10, iq: 6, so: 6, ba: 3, al: 2, ce: 3, af: 4, dz: 2, tn: 2, uz: 1 },
  BE: { european: 18, ma: 30, tn: 5, dz: 6, sy: 7, iq: 4, tr: 8, ce: 7, al: 4, ba: 3, so: 2, af: 3, uz: 1 },
  FR: { european: 22, dz: 20, ma: 15, tn: 12, sy: 6, iq: 3, tr: 4, ce: 8, ba: 2, al: 2, so: 2, af: 2, uz: 2 },
  DE: { european: 22, tr: 16, sy: 12, iq: 8, ce: 8, ba: 7, al: 7, af: 6, ma: 5, tn: 3, dz: 2, so: 2, uz: 2 },
  ES: { european: 25, ma: 40, dz: 10, tn: 3, sy: 5, iq: 2, tr: 2, ce: 2, al: 2, ba: 2, af: 3, so: 1, uz: 3 },
  AT: { european: 20, ce: 18, ba: 14, al: 8, tr: 12, af: 10, sy: 8, iq: 5, ma: 2, tn: 1, dz: 1, uz: 1 },
  IT: { european: 25, tn: 20, ma: 18, al: 10, ba: 5, dz: 5, sy: 5, iq: 2, tr: 2, af: 4, so: 2, ce: 1, uz: 1 },
  SE: { european: 25, so: 18, iq: 15, sy: 12, af: 8, ba: 5, al: 3, tr: 4, ce: 4, ma: 3, uz: 3 },
  DK: { european: 25, so: 14, iq: 12, sy: 12, af: 8, ba: 5, al: 3, tr: 8, ce: 4, ma: 6, uz: 3 },
  FI: { european: 25, so: 20, iq: 15, sy: 10, af: 8, ce: 6, tr: 3, ba: 3, al: 2, ma: 2, uz: 4 },
};

/** Arabic-style origin names used in kunyas (Abu X al-...). */
export const NISBA: Record<string, string> = {
  NL: 'Hollandi',
  BE: 'Baljiki',
  FR: 'Faransi',
  DE: 'Almani',
  ES: 'Andalusi',
  IT: 'Itali',
  AT: 'Nimsawi',
  SE: 'Swedi',
  DK: 'Danimarki',
  FI: 'Finlandi',
  PT: 'Burtughali',
  IE: 'Irlandi',
  GR: 'Yunani',
  MA: 'Maghribi',
  DZ: 'Jazairi',
  TN: 'Tunisi',
  SY: 'Suri',
  IQ: 'Iraqi',
  TR: 'Turki',
  BA: 'Bosni',
  AL: 'Albani',
  MK: 'Albani',
  RU: 'Shishani',
  SO: 'Somali',
  AF: 'Afghani',
  PK: 'Pakistani',
  UZ: 'Uzbeki',
  TJ: 'Tajiki',
};
export const KUNYA_NAMES = W(
  'Abdullah, Hamza, Muhammad, Ibrahim, Yahya, Umar, Suhaib, Musab, Bakr, Talha, Khalid, Usama, Ayyub, Qasim, Dujana, Hafs, Ubayda, Zakariya, Anas, Sulayman',
);

/** Spelling variants as different clerks transliterate the same name. */
const VARIANT_RULES: Array<[RegExp, string]> = [
  [/ou/, 'u'],
  [/(?<![ou])u(?!o)/, 'ou'],
  [/sh/, 'ch'],
  [/ch/, 'sh'],
  [/kh/, 'h'],
  [/dj/, 'j'],
  [/y/, 'i'],
  [/ee/, 'i'],
  [/mm/, 'm'],
  [/ss/, 's'],
  [/([^s])s([aeiou])/, '$1ss$2'],
  [/El /, 'El-'],
  [/Al-/, 'al '],
  [/Abdel/, 'Abdul'],
  [/Mohamed/, 'Mohammed'],
  [/Mohammed/, 'Muhammad'],
  [/Youssef/, 'Yusuf'],
  [/Hussein/, 'Husayn'],
  [/ć|č/, 'c'],
  [/š/, 's'],
  [/ž/, 'z'],
  [/ı/, 'i'],
  [/ö/, 'o'],
  [/ü/, 'u'],
  [/ş/, 's'],
  [/ğ/, 'g'],
  [/e$/, ''],
  [/a$/, 'ah'],
];

export function spellingVariant(rng: Random, name: string): string {
  const start = rng.int(0, VARIANT_RULES.length - 1);
  let result = name;
  let changes = 0;
  for (let i = 0; i < VARIANT_RULES.length && changes < 2; i++) {
    const [pattern, replacement] = VARIANT_RULES[(start + i) % VARIANT_RULES.length];
    const next = result.replace(pattern, replacement);
    if (next !== result && rng.chance(0.7)) {
      result = next;
      changes++;
    }
  }
  return result;
}
