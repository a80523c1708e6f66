package org.sylkserver.webrtc.messaging;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.sylkserver.core.CommandLine;
import org.sylkserver.core.config.ConfigException;

/**
 * {@code sylk-db} (spec §7.5): looks at and cleans up the gateway's message store, the one {@code webrtcgateway.ini}
 * selects, while the server may be running. Destructive commands ask for confirmation on a terminal; scripts pass
 * {@code --yes}, and without a terminal and without {@code --yes} nothing is removed.
 */
public final class SylkDb {

    static final String USAGE = """
            Usage: sylk-db [--config-dir DIR] [--var-dir DIR] [--yes] COMMAND
              dbinit                                 create the store (tables, indexes) if missing
              show ACCOUNT                           the account's login, API token, push tokens, messages, key
              remove all ACCOUNT                     everything stored for the account
              remove messages ACCOUNT [CONTACT]      its messages, or only those with CONTACT
              remove api_token ACCOUNT               blank its history API token
              remove push_token ACCOUNT [DEVICE]     its push tokens, or only DEVICE's
              remove public_key ACCOUNT              its public key
            Options:
              --config-dir DIR   where webrtcgateway.ini is (default: /etc/sylkserver if it has a config.ini,
                                 else ./config), as for sylk-server
              --var-dir DIR      the server's data directory (default: ./var)
              --yes              do not ask before removing (for scripts)
              -h, --help         print this help and exit
            Exit status: 0 done, 1 nothing done (refused, or the account has no such data), 2 usage or
            configuration error, 3 the store failed.
            """;

    /** Where questions are asked; absent when standard input is not a terminal. */
    interface Console {
        boolean confirm(String question);
    }

    private final MessageStore store;
    private final PrintStream out;
    private final Console console;
    private final boolean yes;

    SylkDb(MessageStore store, PrintStream out, Console console, boolean yes) {
        this.store = store;
        this.out = out;
        this.console = console;
        this.yes = yes;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.console() == null ? null : SylkDb::askTerminal));
    }

    static int run(String[] args, PrintStream out, PrintStream err, Console console) {
        Path configDir = null;
        Path varDir = Path.of("var");
        boolean yes = false;
        List<String> command = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--config-dir" -> configDir = Path.of(value(args, ++i));
                    case "--var-dir" -> varDir = Path.of(value(args, ++i));
                    case "--yes", "-y" -> yes = true;
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                        }
                        command.add(args[i]);
                    }
                }
            }
            if (command.isEmpty()) {
                throw new IllegalArgumentException("no command");
            }
        } catch (IllegalArgumentException e) {
            err.println("sylk-db: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        MessagingConfig config;
        try {
            config = MessagingConfig.load((configDir == null ? CommandLine.defaultConfigDir() : configDir)
                    .toAbsolutePath().normalize(), varDir.toAbsolutePath().normalize());
        } catch (ConfigException e) {
            err.println("sylk-db: " + e.getMessage());
            return 2;
        }
        try (MessageStore store = MessageStores.open(config)) {
            return new SylkDb(store, out, console, yes).execute(command, config);
        } catch (IllegalArgumentException e) {
            err.println("sylk-db: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (StoreException e) {
            err.println("sylk-db: " + e.getMessage());
            return 3;
        }
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException("option " + args[index - 1] + " needs a value");
        }
        return args[index];
    }

    int execute(List<String> command, MessagingConfig config) throws StoreException {
        String verb = command.get(0);
        switch (verb) {
            case "dbinit" -> {
                arguments(command, 1, 1);
                // opening the store created what was missing
                out.println("store ready: " + MessageStores.describe(config));
                return 0;
            }
            case "show" -> {
                arguments(command, 2, 2);
                return show(command.get(1));
            }
            case "remove" -> {
                if (command.size() < 3) {
                    throw new IllegalArgumentException("remove needs what and an account");
                }
                return remove(command.get(1), command.get(2), command.subList(3, command.size()));
            }
            default -> throw new IllegalArgumentException("unknown command '" + verb + "'");
        }
    }

    private static void arguments(List<String> command, int least, int most) {
        if (command.size() < least || command.size() > most) {
            throw new IllegalArgumentException("'" + command.get(0) + "' takes " + (least - 1)
                    + (most > least ? "-" + (most - 1) : "") + " argument(s)");
        }
    }

    private int show(String account) throws StoreException {
        var record = store.account(account);
        List<DeviceToken> tokens = store.deviceTokens(account);
        List<StoredMessage> journal = store.journal(account, null, null, Integer.MAX_VALUE);
        var key = store.publicKey(account);
        if (record.isEmpty() && tokens.isEmpty() && journal.isEmpty() && key.isEmpty()) {
            out.println(account + ": nothing stored");
            return 1;
        }
        out.println("account:     " + account);
        record.ifPresent(known -> {
            out.println("last login:  " + (known.lastLogin() == null ? "-" : known.lastLogin()));
            out.println("API token:   " + (known.apiToken() == null ? "-"
                    : known.apiToken() + " (valid until " + known.apiTokenExpires() + ")"));
        });
        out.println("push tokens: " + tokens.size());
        for (DeviceToken token : tokens) {
            out.println("  " + token.appId() + " " + token.deviceId() + " " + token.platform() + " " + token.token()
                    + (token.silent() ? " silent" : "") + (token.userAgent() == null ? "" : " (" + token.userAgent() + ")"));
        }
        Map<String, Integer> byContact = new TreeMap<>();
        for (StoredMessage message : journal) {
            byContact.merge(message.contact(), 1, Integer::sum);
        }
        out.println("messages:    " + journal.size());
        byContact.forEach((contact, count) -> out.println("  " + contact + ": " + count));
        for (StoredMessage message : journal) {
            out.println("  " + message.createdAt() + " " + message.direction() + " " + message.contact() + " "
                    + message.messageId() + " " + message.contentType() + " " + message.state() + " "
                    + abbreviate(message.content()));
        }
        out.println("public key:  " + key.map(k -> k.length() + " characters").orElse("-"));
        return 0;
    }

    private static String abbreviate(String content) {
        String line = content.replaceAll("\\s+", " ");
        return line.length() > 60 ? line.substring(0, 57) + "..." : line;
    }

    private int remove(String what, String account, List<String> rest) throws StoreException {
        switch (what) {
            case "all" -> {
                expectNone(what, rest);
                if (!confirmed("Remove everything stored for " + account + "?")) {
                    return refused();
                }
                store.removeAccount(account);
                out.println(account + ": everything removed");
                return 0;
            }
            case "messages" -> {
                if (rest.size() > 1) {
                    throw new IllegalArgumentException("remove messages takes an account and at most one contact");
                }
                Map<String, Integer> contacts = new LinkedHashMap<>();
                for (StoredMessage message : store.journal(account, null, null, Integer.MAX_VALUE)) {
                    if (rest.isEmpty() || rest.get(0).equals(message.contact())) {
                        contacts.merge(message.contact(), 1, Integer::sum);
                    }
                }
                String scope = rest.isEmpty() ? "" : " with " + rest.get(0);
                if (contacts.isEmpty()) {
                    out.println(account + ": no messages" + scope);
                    return 1;
                }
                int count = contacts.values().stream().mapToInt(Integer::intValue).sum();
                if (!confirmed("Remove " + count + " messages of " + account + scope + "?")) {
                    return refused();
                }
                int removed = 0;
                for (String contact : contacts.keySet()) {
                    removed += store.removeConversation(account, contact);
                }
                out.println(account + ": " + removed + " messages removed" + scope);
                return 0;
            }
            case "api_token" -> {
                expectNone(what, rest);
                if (!confirmed("Blank the API token of " + account + "?")) {
                    return refused();
                }
                return report(store.removeApiToken(account), account + ": API token blanked",
                        account + ": no API token");
            }
            case "public_key" -> {
                expectNone(what, rest);
                if (!confirmed("Remove the public key of " + account + "?")) {
                    return refused();
                }
                return report(store.removePublicKey(account), account + ": public key removed",
                        account + ": no public key");
            }
            case "push_token" -> {
                if (rest.size() > 1) {
                    throw new IllegalArgumentException("remove push_token takes an account and at most one device");
                }
                List<DeviceToken> tokens = new ArrayList<>();
                for (DeviceToken token : store.deviceTokens(account)) {
                    if (rest.isEmpty() || rest.get(0).equals(token.deviceId())) {
                        tokens.add(token);
                    }
                }
                if (tokens.isEmpty()) {
                    out.println(account + ": no push token" + (rest.isEmpty() ? "" : " of device " + rest.get(0)));
                    return 1;
                }
                for (DeviceToken token : tokens) {
                    out.println("  " + token.appId() + " " + token.deviceId() + " " + token.platform());
                }
                if (!confirmed("Remove these " + tokens.size() + " push tokens of " + account + "?")) {
                    return refused();
                }
                for (DeviceToken token : tokens) {
                    store.removeDeviceToken(account, token.appId(), token.deviceId());
                }
                out.println(account + ": " + tokens.size() + " push tokens removed");
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown item to remove '" + what
                    + "' (all, messages, api_token, push_token, public_key)");
        }
    }

    private static void expectNone(String what, List<String> rest) {
        if (!rest.isEmpty()) {
            throw new IllegalArgumentException("remove " + what + " takes only an account");
        }
    }

    private int report(boolean done, String ifDone, String otherwise) {
        out.println(done ? ifDone : otherwise);
        return done ? 0 : 1;
    }

    private boolean confirmed(String question) {
        if (yes) {
            return true;
        }
        if (console == null) {
            out.println(question + " Not removed: no terminal to ask on; pass --yes to remove without asking.");
            return false;
        }
        return console.confirm(question);
    }

    private int refused() {
        out.println("nothing removed");
        return 1;
    }

    private static boolean askTerminal(String question) {
        System.out.print(question + " [y/n] ");
        System.out.flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return answer != null && answer.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y");
        } catch (IOException e) {
            return false;
        }
    }
}
