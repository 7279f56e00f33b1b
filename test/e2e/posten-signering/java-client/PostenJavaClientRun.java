import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

import no.digipost.signature.client.ClientConfiguration;
import no.digipost.signature.client.ServiceEnvironment;
import no.digipost.signature.client.core.Sender;
import no.digipost.signature.client.core.exceptions.UnexpectedResponseException;
import no.digipost.signature.client.portal.Notifications;
import no.digipost.signature.client.portal.PortalClient;
import no.digipost.signature.client.portal.PortalDocument;
import no.digipost.signature.client.portal.PortalJob;
import no.digipost.signature.client.portal.PortalJobResponse;
import no.digipost.signature.client.portal.PortalJobStatus;
import no.digipost.signature.client.portal.PortalJobStatusChanged;
import no.digipost.signature.client.portal.PortalSigner;
import no.digipost.signature.client.portal.Signature;
import no.digipost.signature.client.portal.SignatureStatus;
import no.digipost.signature.client.security.KeyStoreConfig;

/**
 * Posten's official Java client against the Ferje simulator, used as its documentation shows (docs/PortalClientUseCases):
 * create a portal job, poll with the permitted poll times, download every XAdES and the PAdES, confirm each change,
 * then try a job with an empty document. Prints one "KEY value" line per result for the Node test to read.
 *
 * Arguments: root URL, sender, PKCS#12 file, passphrase, folder with the trusted CA, PDF to sign, output folder.
 */
public class PostenJavaClientRun {
    private static long lastCall;

    /**
     * Posten answers more than 10 requests a second from one organisation with 429 and a 30 s block (the simulator
     * does the same). On a fast machine this program's calls (a status change, its XAdES and PAdES downloads, the
     * confirm, the next create) can all fall within one second, so it paces itself as a real sender must.
     */
    private static void pace() throws InterruptedException {
        long wait = lastCall + 120 - System.currentTimeMillis();
        if (wait > 0) Thread.sleep(wait);
        lastCall = System.currentTimeMillis();
    }

    public static void main(String[] args) throws Exception {
        URI root = URI.create(args[0]);
        Sender sender = new Sender(args[1]);
        KeyStoreConfig keyStore;
        try (InputStream p12 = Files.newInputStream(Paths.get(args[2]))) {
            keyStore = KeyStoreConfig.fromOrganizationCertificate(p12, args[3]);
        }
        ServiceEnvironment simulator = new ServiceEnvironment("Ferje simulator", root, Arrays.asList(args[4]));
        ClientConfiguration config = ClientConfiguration.builder(keyStore)
                .serviceEnvironment(simulator)
                .defaultSender(sender)
                .build();
        PortalClient client = new PortalClient(config);
        byte[] pdf = Files.readAllBytes(Paths.get(args[5]));
        Path out = Paths.get(args[6]);

        PortalJob job = PortalJob.builder("Java client contract",
                Arrays.asList(PortalDocument.builder("Contract", pdf).build()),
                Arrays.asList(
                        PortalSigner.identifiedByPersonalIdentificationNumber("12345678910",
                                Notifications.builder().withEmailTo("first@example.com").build()).build(),
                        PortalSigner.identifiedByEmail("second@example.com").build()))
                .withReference("java-client-1")
                .build();
        pace();
        PortalJobResponse created = client.create(job);
        System.out.println("CREATED " + created.getSignatureJobId());

        int xades = 0;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            pace();
            PortalJobStatusChanged change = client.getStatusChange();
            if (change.is(PortalJobStatus.NO_CHANGES)) {
                long waitMs = Duration.between(Instant.now(), change.getNextPermittedPollTime()).toMillis();
                Thread.sleep(Math.max(0, waitMs) + 20);
                continue;
            }
            System.out.println("CHANGE " + change.getStatus());
            for (Signature signature : change.getSignatures()) {
                // equals, not is(): 7.0.4 compares statuses by identity, and a parsed SIGNED is another instance.
                if (SignatureStatus.SIGNED.equals(signature.getStatus())) {
                    pace();
                    try (InputStream in = client.getXAdES(signature.getxAdESUrl())) {
                        Files.copy(in, out.resolve("xades-" + (++xades) + ".xml"));
                    }
                }
            }
            boolean done = change.is(PortalJobStatus.COMPLETED_SUCCESSFULLY);
            if (done && change.isPAdESAvailable()) {
                pace();
                try (InputStream in = client.getPAdES(change.getpAdESUrl())) {
                    Files.copy(in, out.resolve("pades.pdf"));
                }
                System.out.println("PADES pades.pdf");
            }
            pace();
            client.confirm(change);
            System.out.println("CONFIRMED " + change.getStatus());
            if (done) break;
        }
        System.out.println("XADES " + xades);

        PortalJob empty = PortalJob.builder("Empty document",
                PortalDocument.builder("Empty", new byte[0]).build(),
                PortalSigner.identifiedByEmail("third@example.com").build())
                .build();
        try {
            pace();
            client.create(empty);
            System.out.println("EMPTY_ACCEPTED");
        } catch (UnexpectedResponseException e) {
            System.out.println("EMPTY_REJECTED " + e.httpStatusCode() + " " + e.getErrorCode() + " " + e.getErrorType());
        }
    }
}
