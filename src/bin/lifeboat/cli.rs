//! The command line: arguments (clap), dispatch, exit codes.

mod convert;
mod failure;
mod find;
mod read;
mod show;

use clap::{Parser, Subcommand};
use failure::Failure;
use std::path::PathBuf;
use std::process::ExitCode;

/// Shown under every --help: scripts branch on these.
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  usage error (unknown option, missing argument, refused output path)
  2  the file cannot be read as a session: missing, not readable, empty,
     not a session file Lifeboat knows, or damaged
  3  a Chromium session file encrypted by the browser (recognised, not readable)
  4  the output could not be written";

const FORMATS: &str = "\
Reads Firefox's sessionstore.jsonlz4, recovery.jsonlz4, recovery.baklz4,
previous.jsonlz4 and upgrade.jsonlz4-*, Chromium's Session_* and Tabs_*,
Lifeboat's exports and full backups, Tab Session Manager and OneTab exports
and lists of addresses. The file is copied before it is read: a browser
still running can go on writing its own.";

#[derive(Parser)]
#[command(
    name = "lifeboat",
    version,
    about = "Find, show and convert the session files of Firefox and Chromium",
    long_about = None,
    after_help = format!("{FORMATS}\n\n{EXIT_CODES}"),
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the session files of every Firefox and Chromium profile, newest first
    #[command(after_help = format!("\
Looks in the usual places on Linux, macOS and Windows under the home folder
(LIFEBOAT_HOME overrides HOME / USERPROFILE, and then APPDATA and LOCALAPPDATA
are taken under it too), or only in --profile DIR.\n\n{EXIT_CODES}"))]
    Find {
        /// A Firefox or Chromium profile folder (or a folder of profiles) to look in instead
        #[arg(long, value_name = "DIR")]
        profile: Option<PathBuf>,
        /// One JSON document instead of lines of text
        #[arg(long)]
        json: bool,
    },
    /// Show the windows and tabs of a session file
    #[command(after_help = format!("\
Lists each window's tabs (title, address, pinned, tab group, container), each
tab's back/forward pages, and the recently closed tabs and windows where the
file keeps them.\n\n{FORMATS}\n\n{EXIT_CODES}"))]
    Show {
        /// The session file
        file: PathBuf,
        /// One JSON document instead of text
        #[arg(long)]
        json: bool,
    },
    /// Write a session file's tabs in another format
    #[command(after_help = format!("\
lifeboat   Lifeboat's export, which the extension's manager imports
json       what `lifeboat show --json` prints
html       a page of links that opens in any browser
urls       one address per line
onetab     OneTab's import format
tsm        Tab Session Manager's import format

Refuses to write into a browser profile or over the file it reads.\n\n{EXIT_CODES}"))]
    Convert {
        /// The session file
        file: PathBuf,
        /// The format to write
        #[arg(long, value_enum)]
        to: convert::To,
        /// Where to write (default: standard output)
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own exit code for usage errors is 2, which here means "unreadable file".
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Failure::USAGE } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Find { profile, json } => find::run(profile.as_deref(), json),
        Command::Show { file, json } => show::run(&file, json),
        Command::Convert { file, to, output } => convert::run(&file, to, output.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("lifeboat: {}", f.message());
            ExitCode::from(f.code())
        }
    }
}
